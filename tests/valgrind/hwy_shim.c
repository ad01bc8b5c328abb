/* A stand-in for libhwy.so.1, used only under valgrind (make memcheck).
 *
 * Why: Debian's libavcodec links libjxl, which links Google Highway, whose
 * load-time constructor times itself with RDTSCP. On CPUs (or hypervisors)
 * that execute RDTSCP without advertising it in CPUID, valgrind 3.19
 * refuses the instruction and kills the process before main(). camwatch
 * never decodes JPEG XL, so libjxl's five imports from Highway are never
 * called; this library provides them (same names, same HWY_0 version
 * node) and aborts loudly if one ever is. */
#include <stdio.h>
#include <stdlib.h>

static void shim_called(const char *what)
{
    fprintf(stderr, "camwatch valgrind shim: libhwy's %s was called; the shim cannot serve it\n", what);
    abort();
}

/* hwy::AlignedDeleter::DeleteAlignedArray(void*, void (*)(void*, void*), void*, void (*)(void*, unsigned long)) */
void _ZN3hwy14AlignedDeleter18DeleteAlignedArrayEPvPFvS1_S1_ES1_PFvS1_mE(void) { shim_called("DeleteAlignedArray"); }
/* hwy::GetChosenTarget() */
void _ZN3hwy15GetChosenTargetEv(void) { shim_called("GetChosenTarget"); }
/* hwy::FreeAlignedBytes(void const*, void (*)(void*, void*), void*) */
void _ZN3hwy16FreeAlignedBytesEPKvPFvPvS2_ES2_(void) { shim_called("FreeAlignedBytes"); }
/* hwy::SupportedTargets() */
void _ZN3hwy16SupportedTargetsEv(void) { shim_called("SupportedTargets"); }
/* hwy::AllocateAlignedBytes(unsigned long, void* (*)(void*, unsigned long), void*) */
void _ZN3hwy20AllocateAlignedBytesEmPFPvS0_mES0_(void) { shim_called("AllocateAlignedBytes"); }
