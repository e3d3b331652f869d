// Prints the one-line total of the CI run and, after it, every failed test with the first lines
// of its failure. CI logs are often read from their tail only, so the names of what failed must be
// the last thing printed, not somewhere in the middle of a long run.
import fs from 'node:fs';
import path from 'node:path';

const reports = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

for (const file of reports) {
  if (!fs.existsSync(file)) {
    failed++;
    failures.push({ where: file, name: '(no report: the run did not finish)', message: '' });
    continue;
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  for (const suite of report.testResults ?? []) {
    const where = path.relative(process.cwd(), suite.name);
    const failedTests = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of failedTests) {
      failures.push({ where, name: t.fullName, message: (t.failureMessages ?? []).join('\n') });
    }
    // A file that failed to load has no failed test in it, only a suite-level message.
    if (suite.status === 'failed' && failedTests.length === 0) {
      failures.push({ where, name: '(the file failed)', message: suite.message ?? '' });
    }
  }
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
for (const f of failures) {
  console.log(`FAILED ${f.where} > ${f.name}`);
  const lines = f.message.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines.slice(0, 8)) console.log(`    ${line}`);
}
