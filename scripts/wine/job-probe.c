/* For tests under Wine only: what Wine does with the Job Object payrun's workers run in
 * (src/ingest/worker.rs: JOB_OBJECT_LIMIT_PROCESS_MEMORY + JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE).
 *
 *   job-probe limits    makes such a job with a 256 MiB limit, reads the limit back, puts itself
 *                       in it and commits 1 GiB (Windows refuses), then puts a sleeping child in
 *                       a second such job and closes that job (Windows kills the child).
 *   job-probe workers   lists the running payrun.exe processes started by a payrun.exe (the
 *                       parsing workers) and whether each is in a job.
 *   job-probe sleep     sleeps 60 s (the child of `limits`).
 * Prints one "key: value" line per finding; scripts/wine-job-check.sh reads them. */
#include <stdio.h>
#include <windows.h>
#include <tlhelp32.h>

static HANDLE worker_like_job(SIZE_T limit)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION info;
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (!job)
        return NULL;
    ZeroMemory(&info, sizeof info);
    info.BasicLimitInformation.LimitFlags =
        JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    info.ProcessMemoryLimit = limit;
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &info, sizeof info)) {
        printf("set_limits: refused (error %lu)\n", GetLastError());
        CloseHandle(job);
        return NULL;
    }
    return job;
}

static int limits(void)
{
    const SIZE_T limit = (SIZE_T)256 << 20;
    const SIZE_T big = (SIZE_T)1 << 30;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION back;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t cmd[MAX_PATH + 16];
    wchar_t self[MAX_PATH];
    HANDLE job, job2;
    char *mem;
    DWORD waited;

    job = worker_like_job(limit);
    if (!job) {
        printf("create_job: failed (error %lu)\n", GetLastError());
        return 1;
    }
    printf("set_limits: accepted\n");
    ZeroMemory(&back, sizeof back);
    if (QueryInformationJobObject(job, JobObjectExtendedLimitInformation, &back, sizeof back, NULL))
        printf("read_back: flags=0x%lx process_memory_limit=%llu\n",
               back.BasicLimitInformation.LimitFlags,
               (unsigned long long)back.ProcessMemoryLimit);
    else
        printf("read_back: failed (error %lu)\n", GetLastError());
    if (!AssignProcessToJobObject(job, GetCurrentProcess())) {
        printf("assign_self: failed (error %lu)\n", GetLastError());
    } else {
        printf("assign_self: ok\n");
        mem = VirtualAlloc(NULL, big, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
        if (mem) {
            SIZE_T i;
            for (i = 0; i < big; i += 4096)
                mem[i] = 1;
            printf("commit_1GiB_over_256MiB_limit: allowed (limit not enforced)\n");
            VirtualFree(mem, 0, MEM_RELEASE);
        } else {
            printf("commit_1GiB_over_256MiB_limit: refused (limit enforced)\n");
        }
    }

    /* Kill on close: a child in its own job, the job's only handle closed. */
    job2 = worker_like_job((SIZE_T)4 << 30);
    if (!job2)
        return 1;
    GetModuleFileNameW(NULL, self, MAX_PATH);
    swprintf(cmd, MAX_PATH + 16, L"\"%ls\" sleep", self);
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    /* The child breaks away from this process's own job so only job2 holds it. */
    if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, CREATE_SUSPENDED | CREATE_BREAKAWAY_FROM_JOB,
                        NULL, NULL, &si, &pi)
        && !CreateProcessW(NULL, cmd, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi)) {
        printf("kill_on_close: child not started (error %lu)\n", GetLastError());
        return 1;
    }
    if (!AssignProcessToJobObject(job2, pi.hProcess))
        printf("assign_child: failed (error %lu)\n", GetLastError());
    ResumeThread(pi.hThread);
    CloseHandle(job2);
    waited = WaitForSingleObject(pi.hProcess, 5000);
    printf("kill_on_close: %s\n", waited == WAIT_OBJECT_0 ? "child killed" : "child still running");
    if (waited != WAIT_OBJECT_0)
        TerminateProcess(pi.hProcess, 1);
    return 0;
}

static int workers(void)
{
    PROCESSENTRY32W all[1024];
    int n = 0, i, j, found = 0;
    PROCESSENTRY32W e;
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snap == INVALID_HANDLE_VALUE)
        return 1;
    e.dwSize = sizeof e;
    if (Process32FirstW(snap, &e)) {
        do {
            if (n < 1024)
                all[n++] = e;
        } while (Process32NextW(snap, &e));
    }
    CloseHandle(snap);
    for (i = 0; i < n; i++) {
        if (_wcsicmp(all[i].szExeFile, L"payrun.exe") != 0)
            continue;
        for (j = 0; j < n; j++) {
            if (all[j].th32ProcessID == all[i].th32ParentProcessID
                && _wcsicmp(all[j].szExeFile, L"payrun.exe") == 0) {
                BOOL in_job = FALSE;
                /* Wine wants PROCESS_QUERY_INFORMATION here (Windows takes the limited right). */
                HANDLE p = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, all[i].th32ProcessID);
                if (!p)
                    printf("worker %lu: not opened (error %lu)\n", all[i].th32ProcessID, GetLastError());
                else if (IsProcessInJob(p, NULL, &in_job))
                    printf("worker %lu: %s\n", all[i].th32ProcessID, in_job ? "in a job" : "in no job");
                else
                    printf("worker %lu: unknown (error %lu)\n", all[i].th32ProcessID, GetLastError());
                if (p)
                    CloseHandle(p);
                found++;
            }
        }
    }
    if (!found)
        printf("workers: none\n");
    return 0;
}

int wmain(int argc, wchar_t **argv)
{
    if (argc == 2 && wcscmp(argv[1], L"limits") == 0)
        return limits();
    if (argc == 2 && wcscmp(argv[1], L"workers") == 0)
        return workers();
    if (argc == 2 && wcscmp(argv[1], L"sleep") == 0) {
        Sleep(60000);
        return 0;
    }
    fprintf(stderr, "usage: job-probe limits|workers|sleep\n");
    return 2;
}
