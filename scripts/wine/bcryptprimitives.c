/* A stand-in for Windows' bcryptprimitives.dll, for tests under Wine only (never shipped).
 *
 * Rust's std (1.78+) takes its random bytes (HashMap keys) from ProcessPrng in
 * bcryptprimitives.dll, which every Windows 10+ has but Debian's Wine 8 lacks, so payrun.exe
 * would not even load there. This DLL gives ProcessPrng by calling advapi32's SystemFunction036
 * (RtlGenRandom), which Wine does implement. scripts/wine-prefix.sh builds it with mingw-w64 and
 * copies it into the Wine prefix's system32. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Same contract as Windows': fills the buffer and always returns TRUE there; here FALSE when
 * RtlGenRandom fails, and sizes past ULONG are filled in pieces. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG piece = length > 0x40000000u ? 0x40000000u : (ULONG)length;
        if (!SystemFunction036(data, piece))
            return FALSE;
        data += piece;
        length -= piece;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
