/* SPDX-License-Identifier: MIT */
/* timeline_svg: the chart (timeline_chart.h) drawn as an SVG picture, with
 * stdio: a row per process with its role and PID, a bar per span coloured
 * by job, the legend, the time axis, and a title naming the demo and its
 * options. SVG is XML: plain text that a browser draws, so no graphics
 * library is needed, only care with the five characters XML reserves.
 * Where the picture goes (a file, a device, a FIFO) is timeline_file.c's. */
#include "timeline_chart.h"

#include <stdio.h>

/* The picture's layout, in pixels. A column of the ASCII chart is PX wide
 * in every picture, so two pictures on one scale compare side by side. */
#define PX       10
#define LEFT     170             /* the rows' labels */
#define WIDTH    (LEFT + CHART_MAX_W * PX + 40)
#define TOP      80              /* title, what it shows, and the scale above the rows */
#define ROW_H    26
#define BAR_H    16

/* The colours of the jobs (the Okabe-Ito palette, told apart with colour
 * blindness too), chosen by the job's letter, so that music (m) has the
 * same colour in every picture; grey for a span with no job of its own.
 * Beside each, the colour a letter is written in on it: dark on the light. */
static const char *const colours[][2] = {
    { "#0072B2", "white" }, { "#E69F00", "black" }, { "#009E73", "white" },
    { "#CC79A7", "black" }, { "#56B4E9", "black" }, { "#D55E00", "white" },
    { "#F0E442", "black" }, { "#000000", "white" },
};
#define NCOLOURS ((int)(sizeof colours / sizeof *colours))

static const char *colour_of(const struct chart *c, int job)
{
    return job < 0 ? "#999999" : colours[(unsigned char)c->jobs[job].mark % NCOLOURS][0];
}

static const char *letter_colour_of(const struct chart *c, int job)
{
    return colours[(unsigned char)c->jobs[job].mark % NCOLOURS][1];
}

/* Writes text with XML's reserved characters escaped. */
static void put_text(FILE *f, const char *text)
{
    for (; *text != '\0'; text++) {
        switch (*text) {
        case '<':  fputs("&lt;", f); break;
        case '>':  fputs("&gt;", f); break;
        case '&':  fputs("&amp;", f); break;
        case '"':  fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:   fputc(*text, f);
        }
    }
}

static double x_of(const struct chart *c, double t)
{
    return LEFT + t / c->col * PX;
}

/* The title (the demo and its options) and the scale, above the rows. */
static void put_heading(FILE *f, const struct chart *c)
{
    fputs("<title>", f);
    put_text(f, c->title);
    fputs("</title>\n<text class=\"title\" x=\"12\" y=\"26\">", f);
    put_text(f, c->title);
    fprintf(f, "</text>\n<text class=\"note\" x=\"12\" y=\"46\">one row per process, a bar "
               "where it was busy, coloured by the job it worked on</text>\n"
               "<text class=\"note\" x=\"12\" y=\"62\">%s</text>\n", c->scale);
}

/* A row: its label ("role PID"), a faint line, and a bar per span. A span
 * cut short ends in an arrow head. */
static void put_row(FILE *f, const struct chart *c, int r)
{
    double y = TOP + r * ROW_H;
    fprintf(f, "<text class=\"row\" x=\"%d\" y=\"%.1f\">", LEFT - 8, y + BAR_H - 3);
    put_text(f, c->rows[r].role);
    fprintf(f, " %ld</text>\n", (long)c->rows[r].pid);
    fprintf(f, "<line class=\"lane\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            LEFT, y + BAR_H / 2.0, x_of(c, c->width * c->col), y + BAR_H / 2.0);
    for (int i = 0; i < c->nbars; i++) {
        const struct chart_bar *b = &c->bars[i];
        if (b->row != r)
            continue;
        double x = x_of(c, b->start), w = (b->end - b->start) / c->col * PX;
        if (x + w > x_of(c, c->width * c->col))
            w = x_of(c, c->width * c->col) - x;
        if (w < 1.5)
            w = 1.5;               /* a span shorter than a pixel still shows */
        fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
                   "fill=\"%s\"><title>", x, y, w, BAR_H, colour_of(c, b->job));
        put_text(f, b->job >= 0 ? c->jobs[b->job].name : "busy");
        fprintf(f, "</title></rect>\n");
        if (b->job >= 0 && w >= 12)
            fprintf(f, "<text class=\"mark\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%c</text>\n",
                    x + w / 2, y + BAR_H - 4, letter_colour_of(c, b->job), c->jobs[b->job].mark);
        if (b->open)
            fprintf(f, "<polygon class=\"cut\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
                    x + w, y - 2, x + w + 8, y + BAR_H / 2.0, x + w, y + BAR_H + 2);
    }
}

/* The time axis under the rows: a tick and a label at every step, the last
 * label, with the unit, at the chart's end. */
static void put_axis(FILE *f, const struct chart *c, double y)
{
    double end = x_of(c, c->last.t);
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            LEFT, y, end, y);
    for (int k = 0; k < c->nticks; k++) {
        double x = x_of(c, c->ticks[k].t);
        fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                x, y, x, y + 5);
        if (end - x >= 48)         /* else it would run into the last label */
            fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", x, y + 18,
                    c->ticks[k].text);
    }
    fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            end, y, end, y + 5);
    fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s %s</text>\n", end, y + 18,
            c->last.text, c->unit);
}

/* How many lines the legend takes: its jobs four to a line, then the
 * cut-short mark's on a line of its own. */
static int legend_lines(const struct chart *c)
{
    int jobs = 0, cut = 0;
    for (int i = 0; i < c->nlegend; i++) {
        if (c->legend[i].mark == '>')
            cut++;
        else
            jobs++;
    }
    return (jobs + 3) / 4 + cut;
}

/* The legend under the axis, from y on: a swatch and "m = music" for each
 * job ('#': grey), then an arrow head and what it means. */
static void put_legend(FILE *f, const struct chart *c, double y)
{
    int n = 0;
    for (int i = 0; i < c->nlegend; i++) {
        const struct chart_entry *e = &c->legend[i];
        if (e->mark == '>')
            continue;
        double x = 12 + (n % 4) * 190, row = y + (n / 4) * 20;
        fprintf(f, "<rect class=\"swatch\" x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" "
                   "fill=\"%s\"/>\n", x, row - 11, colour_of(c, e->job));
        fprintf(f, "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">", x + 18, row);
        put_text(f, e->text);
        fputs("</text>\n", f);
        n++;
    }
    double row = y + (n + 3) / 4 * 20;
    for (int i = 0; i < c->nlegend; i++) {
        if (c->legend[i].mark != '>')
            continue;
        fprintf(f, "<polygon class=\"cut\" points=\"14.0,%.1f 22.0,%.1f 14.0,%.1f\"/>\n",
                row - 12, row - 6, row);
        fprintf(f, "<text class=\"legend\" x=\"30.0\" y=\"%.1f\">", row);
        put_text(f, c->legend[i].text);
        fputs("</text>\n", f);
    }
}

void chart_draw_svg(FILE *f, const struct chart *c)
{
    double axis_y = TOP + c->nrows * ROW_H + 4;
    double height = axis_y + 48 + legend_lines(c) * 20 + 8;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
               "viewBox=\"0 0 %d %.0f\" font-family=\"DejaVu Sans, Verdana, sans-serif\">\n",
            WIDTH, height, WIDTH, height);
    fputs("<style>\n"
          ".title { font-size: 16px; font-weight: bold; }\n"
          ".note, .legend, .tick { font-size: 12px; }\n"
          ".tick { text-anchor: middle; }\n"
          ".row { font-size: 13px; text-anchor: end; font-family: monospace; }\n"
          ".mark { font-size: 11px; text-anchor: middle; font-family: monospace; }\n"
          ".lane { stroke: #dddddd; }\n"
          ".axis { stroke: #333333; }\n"
          ".cut { fill: #333333; }\n"
          "</style>\n"
          "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", f);
    put_heading(f, c);
    for (int r = 0; r < c->nrows; r++)
        put_row(f, c, r);
    if (c->nrows == 0)
        fprintf(f, "<text class=\"note\" x=\"%d\" y=\"%d\">no busy spans were recorded</text>\n",
                LEFT, TOP + 12);
    put_axis(f, c, axis_y);
    put_legend(f, c, axis_y + 48);
    fputs("</svg>\n", f);
}

