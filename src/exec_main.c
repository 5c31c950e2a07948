/*
 * exec_main.c: main() of benchlua-exec, the small helper benchlua starts its
 * children through. It is bl_exec_main() (exec.c) linked with libc alone, so
 * starting it costs about a millisecond; the same mode inside the benchlua
 * binary (--exec-helper) pays for loading libcurl and its dependencies on
 * every child, which is ~8 ms (measured in bench/sandbox_cost.lua).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "exec.h"

int main(int argc, char **argv)
{
    /* _exit: the helper's setup memory dies with it (no leak report
     * under the sanitizer build for a process that only execs or relays) */
    int rc;
    if (argc > 1 && strcmp(argv[1], "--exec-helper") == 0) {
        rc = bl_exec_main(argc - 1, argv + 1);
    } else {
        static char name[] = "--exec-helper";
        argv[0] = name;
        rc = bl_exec_main(argc, argv);
    }
    fflush(NULL);
    _exit(rc);
}
