/* SPDX-License-Identifier: MIT */
/* timeline_show: the timeline as a demo uses it. The three options, set up
 * after mp_parse_args (the picture's path checked before the run, the
 * command line kept for the picture's title, the table started), and, at
 * the end, the chart read once and drawn as the options asked: in ASCII
 * (timeline_ascii.c), as an SVG picture (timeline_svg.c) written where
 * the path says (timeline_file.c), or both. A demo:
 *
 *     const struct mp_option options[] = {
 *         MP_TIMELINE_OPTIONS,
 *         { NULL }
 *     };
 *     mp_parse_args(argc, argv, options, NULL, "...");
 *     if (mp_timeline_setup(argc, argv, MP_TIMELINE_TICKS) != MP_OK)
 *         mp_die("timeline: %s", mp_last_error());
 *     ...                            in any process:
 *     mp_timeline_begin("p1", "music");
 *     mp_sleep_ticks(5);             the busy work
 *     mp_timeline_end();
 *     ...                            in the main, once the children are joined:
 *     mp_timeline_show();
 *
 * Drawn before the charted processes are joined, a span whose process is
 * still in it (or was killed in the middle of it) is drawn up to the
 * moment of drawing, and ends in '>'. */
#include "mp.h"
#include "mp_internal.h"
#include "timeline_chart.h"
#include "timeline_file.h"
#include "timeline_spans.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct mp_timeline_options mp_timeline_options;
static enum mp_timeline_scale default_scale = MP_TIMELINE_TICKS;
static char title[120];

/* The title: the program and its options, less the picture's own. */
static void remember_title(int argc, char **argv)
{
    size_t used = (size_t)snprintf(title, sizeof title, "%s", mp_prog);
    for (int i = 1; i < argc && used < sizeof title; i++) {
        if (strcmp(argv[i], "--timeline") == 0 || strncmp(argv[i], "--timeline-svg=", 15) == 0)
            continue;
        if (strcmp(argv[i], "--timeline-svg") == 0) {
            i++;                   /* and its FILE */
            continue;
        }
        used += (size_t)snprintf(title + used, sizeof title - used, " %s", argv[i]);
    }
    if (used >= sizeof title)      /* cut short: say so */
        memcpy(title + sizeof title - 4, "...", 4);
}

bool mp_timeline_asked(void)
{
    return mp_timeline_options.draw || mp_timeline_options.svg != NULL;
}

enum mp_status mp_timeline_setup(int argc, char **argv, enum mp_timeline_scale scale)
{
    default_scale = scale;
    if (!mp_timeline_asked())
        return MP_OK;
    /* Before the run, so that a typo costs no ten-second run. */
    if (mp_timeline_options.svg != NULL && picture_check(mp_timeline_options.svg) != MP_OK) {
        char why[256];
        int err = errno;
        snprintf(why, sizeof why, "%s", mp_last_error());
        mp_set_error(err, "--timeline-svg %s", why);
        return MP_ERROR;
    }
    remember_title(argc, argv);
    return mp_timeline_init();
}

/* The chart on the scale the options ask for. */
static enum mp_status read_chart(struct chart *c)
{
    const char *name = title[0] != '\0' ? title : mp_prog;
    if (mp_timeline_options.scale > 0)
        return chart_read(c, CHART_OPTION, mp_timeline_options.scale, name);
    if (default_scale == MP_TIMELINE_TICKS)
        return chart_read(c, CHART_TICKS, mp_tick / 5, name);
    return chart_read(c, CHART_FIT, 0, name);
}

void mp_timeline_print(void)
{
    struct chart c;
    if (timeline_table() == NULL)
        return;
    if (read_chart(&c) != MP_OK) {
        mp_warn("timeline: %s", mp_last_error());
        return;
    }
    chart_draw_ascii(&c);
    chart_free(&c);
}

enum mp_status mp_timeline_write_svg(const char *path)
{
    struct chart c;
    struct picture p;
    mp_clear_error();
    if (read_chart(&c) != MP_OK)
        return MP_ERROR;
    enum mp_status rc = picture_open(&p, path);
    if (rc == MP_OK) {
        chart_draw_svg(p.f, &c);
        rc = picture_close(&p);
    }
    chart_free(&c);
    return rc;
}

void mp_timeline_show(void)
{
    if (timeline_table() == NULL)
        return;
    if (mp_timeline_options.draw)
        mp_timeline_print();
    if (mp_timeline_options.svg != NULL && mp_timeline_write_svg(mp_timeline_options.svg) != MP_OK)
        mp_die("timeline: %s", mp_last_error());
    mp_timeline_free();
}
