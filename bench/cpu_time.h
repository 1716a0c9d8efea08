// CPU time for the benchmarks: less disturbed than wall time by other load on
// a shared machine.
#ifndef SOCKSPEC_BENCH_CPU_TIME_H_
#define SOCKSPEC_BENCH_CPU_TIME_H_

#include <sys/resource.h>

namespace sockspec {

// CPU seconds (user + system) of this process and every child it reaped.
inline double CpuSeconds() {
  double t = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u;
    getrusage(who, &u);
    t += u.ru_utime.tv_sec + u.ru_stime.tv_sec +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  }
  return t;
}

}  // namespace sockspec

#endif  // SOCKSPEC_BENCH_CPU_TIME_H_
