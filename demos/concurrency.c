/* SPDX-License-Identifier: MIT */
/*
 * concurrency - serial, concurrent, parallel: the same tasks three ways.
 *
 * Seed section 一 (单任务与多任务、串行与并行、并发、进程). The seed explains
 * these words in prose and has no program; this is the program, and the
 * Python it would be:
 *
 *     print("main PID:", os.getpid(), "parent PID:", os.getppid())   # 一.4
 *     def waiting():  time.sleep(1)          # like play_music: it waits
 *     def computing(): ...arithmetic...      # it keeps a CPU busy
 *     for task in tasks: task()              # serial: one after the other
 *     ps = [Process(target=task) for task in tasks]
 *     for p in ps: p.start()                 # one process per task
 *     for p in ps: p.join()
 *     os.sched_setaffinity(0, {cpu})         # Linux: pin to one CPU, then the same
 *
 * The words, as the seed means them:
 *   - serial (串行): one task after the other;
 *   - parallel (并行): tasks running at the same instant on different CPUs
 *     ("5 cashiers at 5 tills");
 *   - concurrent (并发): tasks in progress at the same time, taking turns on
 *     one CPU ("1 cashier switching between 5 tills");
 *   - a process (进程): a program running, which the OS gives an ID (PID);
 *     every process also has a parent, the process that started it.
 *
 * A correction to the seed (一.2): it has `&` and `&&` the wrong way round.
 * In a shell, `cmd1 & cmd2` starts cmd1 in the background and runs cmd2
 * straight away: both run at the same time (concurrently). `cmd1 && cmd2`
 * runs cmd2 after cmd1 has finished, and only if cmd1 succeeded: serial.
 *
 * What to watch for:
 *   - 一.4: every task prints its PID and its parent's. The serial tasks all
 *     print the main's own PID; each process prints a new PID whose parent
 *     is the main.
 *   - Waiting-bound tasks (a sleep, like the seed's play_music) overlap even
 *     when every process is pinned to one CPU: a sleeping process does not
 *     use the CPU, so N of them take about one tick, not N. That is
 *     concurrency: one CPU, many tasks in progress.
 *   - CPU-bound tasks (arithmetic, calibrated at the start to take about a
 *     tick) only get faster with more CPUs: pinned to one, the processes
 *     just take turns and the total stays N ticks; on all CPUs it drops to
 *     about N / CPUs ticks. That is parallelism.
 *   - "CPUs busy" is the CPU time the tasks used divided by the time they
 *     took: 0.00 for sleepers, at most 1 for processes pinned to one CPU,
 *     above 1 only when processes really ran at the same instant. On a busy
 *     machine other programs take CPU time, and every figure drops.
 *   - The conclusion line is computed from the times measured on your
 *     machine, and says how many CPUs the program saw.
 *   - With --timeline, the chart shows it: pinned CPU-bound processes are all
 *     "busy" at once, for as long as the serial run, because each one only
 *     gets a share of the CPU.
 *
 * Run it:   build/bin/concurrency                 (real seconds: about 16 s)
 *           build/bin/concurrency --tick 0.1 --tasks 8
 *           build/bin/concurrency --tick 0.1 --timeline
 */
#ifdef __linux__
#define _GNU_SOURCE               /* sched_setaffinity and the CPU_* macros */
#include <sched.h>
#endif
#include "mp.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_TASKS 64

enum kind { WAITING, COMPUTING };
enum way { SERIAL, ALL_CPUS, ONE_CPU };

struct task {
    int number;          /* 1, 2, ... */
    enum kind kind;
    const char *role;    /* its label on the timeline */
};

/* How many arithmetic steps take one tick of CPU time: set by calibrate()
 * in the main before any fork, so every child gets the same number. */
static uint64_t steps_per_tick;

/* Where the results of the arithmetic go. volatile: the compiler must really
 * store it, so it cannot decide the loop is useless and drop it. */
static volatile uint64_t sink;

/* The CPU-bound work: xorshift steps, pure arithmetic on one number. */
static uint64_t compute(uint64_t steps)
{
    uint64_t x = 88172645463325252u;
    for (uint64_t i = 0; i < steps; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

/* CPU time used by this process so far: unlike the wall clock it does not
 * run while another program has the CPU, so a busy machine does not make the
 * calibrated task smaller. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time used by the children this process has reaped (joined) so far:
 * the kernel adds a child's CPU time here when waitpid collects it. */
static double children_cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_CHILDREN, &ru) == -1)
        mp_die("getrusage: %s", strerror(errno));
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
         + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Doubles the steps until they take at least 50 ms, then scales to a tick. */
static uint64_t calibrate(double tick)
{
    uint64_t steps = 1000;
    for (;;) {
        double start = cpu_seconds();
        sink = compute(steps);
        double took = cpu_seconds() - start;
        if (took >= 0.05) {
            double per_tick = (double)steps * tick / took;
            return per_tick < 1 ? 1 : (uint64_t)per_tick;
        }
        steps *= 2;
    }
}

/* How many CPUs this process may run on (on Linux its affinity mask, which
 * `taskset` or a container may have narrowed; elsewhere all online CPUs). */
static int usable_cpus(void)
{
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* One task, in whichever process runs it. */
static int run_task(void *arg)
{
    const struct task *t = arg;
    mp_timeline_begin(t->role, t->kind == WAITING ? "wait" : "compute");
    /* 一.4: getppid() is the process that started this one */
    mp_print(_("    task %d: PID %ld, parent PID %ld"), t->number, (long)getpid(), (long)getppid());
    if (t->kind == WAITING)
        mp_sleep_ticks(1);        /* waiting: the CPU is free for others meanwhile */
    else
        sink = compute(steps_per_tick);
    mp_timeline_end();
    return 0;
}

/* Serial: every task in this process, one after the other. */
static double run_serial(struct task *tasks, int n)
{
    double start = mp_now();
    for (int i = 0; i < n; i++)
        run_task(&tasks[i]);
    return mp_now() - start;
}

/* One process per task: start them all, then join them all. */
static double run_processes(struct task *tasks, int n)
{
    mp_process procs[MAX_TASKS];
    double start = mp_now();
    for (int i = 0; i < n; i++) {
        mp_process_init(&procs[i], run_task, &tasks[i]);
        if (mp_process_start(&procs[i]) != MP_OK)
            mp_die(N_("start %s: %s"), procs[i].name, mp_last_error());
    }
    for (int i = 0; i < n; i++) {
        if (mp_process_join(&procs[i], MP_FOREVER) != MP_OK)
            mp_die(N_("join %s: %s"), procs[i].name, mp_last_error());
        if (mp_process_exitcode(&procs[i]) != 0)
            mp_die(N_("task %d ended with exit code %d"), i + 1, mp_process_exitcode(&procs[i]));
    }
    return mp_now() - start;
}

/* One process per task, every one pinned to the same single CPU. The main
 * pins itself, then starts them: fork copies the CPU mask into each child.
 * Returns the time, or -1 where pinning is not available. */
static double run_pinned(struct task *tasks, int n)
{
#ifdef __linux__
    cpu_set_t all, one;
    if (sched_getaffinity(0, sizeof all, &all) == -1) {
        mp_print(_("  one process per task, pinned to one CPU: not available (%s)"),
                 _(strerror(errno)));
        return -1;
    }
    int cpu = 0;                  /* the first CPU the main may use */
    while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &all))
        cpu++;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) == -1) {
        mp_print(_("  one process per task, pinned to one CPU: not available (%s)"),
                 _(strerror(errno)));
        return -1;
    }
    mp_print(_("  one process per task, all pinned to CPU %d:"), cpu);
    double took = run_processes(tasks, n);
    if (sched_setaffinity(0, sizeof all, &all) == -1)   /* the main: all its CPUs again */
        mp_die("sched_setaffinity: %s", strerror(errno));
    return took;
#else
    (void)tasks;
    (void)n;
    mp_print(_("  one process per task, pinned to one CPU: not available "
               "(sched_setaffinity is Linux only)"));
    return -1;
#endif
}

/* Runs n tasks of one kind the three ways; took[way] gets each time, and
 * busy[way] how many CPUs the tasks kept busy on average: their CPU time
 * (the main's own, plus its joined children's) divided by that time. */
static void run_three_ways(enum kind kind, int n, double took[3], double busy[3])
{
    const char *roles[2][3] = {
        { "main", "wait all", "wait 1cpu" },
        { "main", "cpu all", "cpu 1cpu" },
    };
    struct task tasks[MAX_TASKS];
    for (int w = SERIAL; w <= ONE_CPU; w++) {
        for (int i = 0; i < n; i++) {
            tasks[i].number = i + 1;
            tasks[i].kind = kind;
            tasks[i].role = roles[kind][w];
        }
        double cpu_before = cpu_seconds() + children_cpu_seconds();
        if (w == SERIAL) {
            mp_print(_("  one after the other, in the main process:"));
            took[w] = run_serial(tasks, n);
        } else if (w == ALL_CPUS) {
            mp_print(_("  one process per task, on all CPUs:"));
            took[w] = run_processes(tasks, n);
        } else {
            took[w] = run_pinned(tasks, n);
        }
        busy[w] = (cpu_seconds() + children_cpu_seconds() - cpu_before) / took[w];
    }
}

/* One way's time and speed-up, "  0.10 s   3.97x", or "not available". */
static const char *cell(char *buf, size_t size, double serial, double took)
{
    if (took < 0)
        snprintf(buf, size, "%s", _("  not available"));
    else
        snprintf(buf, size, "%6.2f s %6.2fx", took, serial / took);
    return buf;
}

/* A kind's two rows of the table: its times and speed-ups, then how many
 * CPUs its tasks kept busy each way. */
static void table_rows(const char *kind, const double took[3], const double busy[3])
{
    char a[32], b[32];
    mp_print(_("%-13s %6.2f s   %s  %s"), kind, took[SERIAL],
             cell(a, sizeof a, took[SERIAL], took[ALL_CPUS]),
             cell(b, sizeof b, took[SERIAL], took[ONE_CPU]));
    if (took[ONE_CPU] < 0)
        b[0] = '\0';
    else
        snprintf(b, sizeof b, "%6.2f", busy[ONE_CPU]);
    mp_print(_("%-13s %6.2f     %6.2f            %s"), _("  CPUs busy"), busy[SERIAL],
             busy[ALL_CPUS], b);
}

/* The conclusion, drawn from the measured speed-ups: which effect showed,
 * and how strongly, on this machine. */
static void conclude(const double wait[3], const double cpu[3], const double cpu_busy[3],
                     int cpus, int n)
{
    char waiting[128], computing[160];
    int ideal = cpus < n ? cpus : n;      /* the best speed-up CPU work can get */
    bool pinned = wait[ONE_CPU] > 0 && cpu[ONE_CPU] > 0;
    double w = wait[SERIAL] / (pinned ? wait[ONE_CPU] : wait[ALL_CPUS]);
    double all = cpu[SERIAL] / cpu[ALL_CPUS];
    double one = pinned ? cpu[SERIAL] / cpu[ONE_CPU] : 0;

    if (w >= 1.5)
        snprintf(waiting, sizeof waiting, _("waiting tasks overlapped%s (%.1fx: concurrency)"),
                 pinned ? _(" on one CPU") : "", w);
    else
        snprintf(waiting, sizeof waiting, _("waiting tasks did not overlap (%.1fx)"), w);

    if (ideal < 2)
        snprintf(computing, sizeof computing,
                 _("CPU work could not speed up (%.1fx): that needs 2 CPUs and 2 tasks"), all);
    else if (cpu_busy[SERIAL] < 0.8)     /* other programs had the CPUs: no fair baseline */
        snprintf(computing, sizeof computing,
                 _("CPU work: a busy machine gave the serial run %.2f of a CPU: see CPUs busy"),
                 cpu_busy[SERIAL]);
    else if (all < 0.8 * ideal)
        snprintf(computing, sizeof computing,
                 _("CPU work sped up %.1fx on %d CPUs, less than the %dx they allow (busy machine?)"),
                 all, cpus, ideal);
    else if (!pinned)
        snprintf(computing, sizeof computing,
                 _("CPU work sped up %.1fx on %d CPUs (parallelism)"), all, cpus);
    else if (cpu_busy[ONE_CPU] <= 1.05)  /* pinned: one CPU's time per second at most */
        snprintf(computing, sizeof computing,
                 _("CPU work sped up only with more CPUs (%.1fx on %d, %.1fx on one: parallelism)"),
                 all, cpus, one);
    else
        snprintf(computing, sizeof computing,
                 _("CPU work sped up %.1fx on %d CPUs and %.1fx on one (not really pinned?)"),
                 all, cpus, one);
    mp_print(_("Conclusion (%d CPUs): %s;"), cpus, waiting);   /* two lines: 80 columns */
    mp_print(_("  %s."), computing);
}

int main(int argc, char **argv)
{
    mp_main_guard();              /* if __name__ == '__main__': (lesson 11) */
    long ntasks = 4;
    const struct mp_option options[] = {
        { "--tasks", MP_OPT_INT, &ntasks, 1, MAX_TASKS, "N",
          N_("tasks of each kind (default 4, at most 64)") },
        MP_TIMELINE_OPTIONS,
        { NULL, MP_OPT_FLAG, NULL, 0, 0, NULL, NULL }
    };
    mp_parse_args(argc, argv, options, NULL,
                  N_("Seed 1: waiting and computing tasks, serial, on all CPUs, on one CPU."));
    int n = (int)ntasks;
    if (mp_timeline_setup(argc, argv, MP_TIMELINE_TICKS) != MP_OK)
        mp_die(N_("timeline: %s"), mp_last_error());

    int cpus = usable_cpus();
    mp_print(_("main: PID %ld, parent PID %ld (the shell that started it)"),
             (long)getpid(), (long)getppid());
    mp_print(_("CPUs this process may run on: %d"), cpus);
    steps_per_tick = calibrate(mp_tick);
    mp_print(_("CPU-bound task: %llu arithmetic steps, about one tick (%.2f s) of CPU"),
             (unsigned long long)steps_per_tick, mp_tick);

    double wait[3], cpu[3], wait_busy[3], cpu_busy[3];
    mp_print(_("%d waiting-bound tasks (each sleeps one tick, like play_music):"), n);
    run_three_ways(WAITING, n, wait, wait_busy);
    mp_print(_("%d CPU-bound tasks (each computes for about one tick):"), n);
    run_three_ways(COMPUTING, n, cpu, cpu_busy);

    mp_print("%s", "");
    mp_print(_("%d tasks of each kind; speed-up = serial time / time;"), n);
    mp_print(_("CPUs busy = CPU time the tasks used / time (above 1: in parallel)"));
    mp_print(_("%-13s %8s   %-16s  %s"), "", _("serial"), _("  on all CPUs"), _("  on one CPU"));
    table_rows(_("waiting-bound"), wait, wait_busy);
    table_rows(_("CPU-bound"), cpu, cpu_busy);
    conclude(wait, cpu, cpu_busy, cpus, n);

    mp_timeline_show();           /* every task process is joined by now */
    return 0;
}
