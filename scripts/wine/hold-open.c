/* For tests under Wine only: holds a file open the way Excel holds an open workbook (read
 * access, others may read but not write, rename or delete it) until its stdin closes. Prints
 * "open" once the file is held. Usage: hold-open.exe FILE */
#include <stdio.h>
#include <windows.h>

int wmain(int argc, wchar_t **argv)
{
    HANDLE file;
    if (argc != 2) {
        fprintf(stderr, "usage: hold-open FILE\n");
        return 2;
    }
    file = CreateFileW(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                       FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "hold-open: cannot open (error %lu)\n", GetLastError());
        return 1;
    }
    printf("open\n");
    fflush(stdout);
    while (getchar() != EOF) {
    }
    CloseHandle(file);
    return 0;
}
