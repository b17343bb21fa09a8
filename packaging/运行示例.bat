@echo off
rem payrun: runs the 2025 samples into the folder "sample-output" beside this file and opens it.
rem Every command line is ASCII; Chinese is only in echo lines, read as UTF-8 after chcp 65001
rem (Windows 10 and later, which payrun.exe needs anyway). Saved as UTF-8 without BOM, CRLF.
rem PAYRUN_NO_OPEN=1 (the tests) skips opening the folder and the final pause.
chcp 65001 >nul
setlocal
cd /d "%~dp0"
set "OUT=%~dp0sample-output"
set "WARN="
if exist "payrun.exe" goto found
echo 找不到 payrun.exe：请先把压缩包完整解压，再双击解压出的文件夹里的“运行示例.bat”。
goto failed
:found
rem Only the folder this script made before is removed: it holds nothing but sample results.
if exist "%OUT%\" rd /s /q "%OUT%"

echo.
echo === 1/3 人民调解“一案一补”2025 年上半年（示例申报表 samples\2025-H1）===
payrun.exe run --period 2025-H1 --out "%OUT%" samples\2025-H1
if errorlevel 2 (set "WARN=1") else if errorlevel 1 goto failed

echo.
echo === 2/3 人民调解“一案一补”2025 年下半年（samples\2025-H2，读取上半年的台账）===
payrun.exe run --period 2025-H2 --out "%OUT%" samples\2025-H2
if errorlevel 2 (set "WARN=1") else if errorlevel 1 goto failed

echo.
echo === 3/3 社区矫正协勤人员经费 2025 年（samples\staff-2025）===
payrun.exe staff --year 2025 --out "%OUT%" samples\staff-2025
if errorlevel 2 (set "WARN=1") else if errorlevel 1 goto failed

echo.
echo 全部完成。结果在文件夹 sample-output：
echo   2025-H1、2025-H2：审批汇总表、发放表、feedback（各县审核反馈表）、decisions.csv、summary.json
echo   staff-2025：经费下达表、协勤人员工资发放表、绩效评价表
echo   台账.xlsx：已发放案件的台账
if defined WARN echo 提示：有文件未能读取（退出状态 2），见审批汇总表的“文件问题”工作表。
echo 用法见本文件夹里的“使用说明.html”。
if not defined PAYRUN_NO_OPEN start "" explorer "%OUT%"
set "RC=0"
goto end

:failed
echo.
echo 运行失败（退出状态 1，没有写出结果）：原因见上面以“错误：”开头的一行。
set "RC=1"

:end
if not defined PAYRUN_NO_OPEN pause
endlocal & exit /b %RC%
