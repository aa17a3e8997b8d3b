// Adapters translate; the core decides. An adapter source file over the budget means session logic
// leaked into it: move that logic into packages/core instead of raising the number.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const BUDGET_LINES = 150;
const failures = [];
for (const dir of readdirSync('packages').filter((name) => name.startsWith('adapter-'))) {
  const src = join('packages', dir, 'src');
  if (!existsSync(src)) continue;
  for (const file of readdirSync(src).filter((name) => name.endsWith('.ts'))) {
    const lines = readFileSync(join(src, file), 'utf8').split('\n').length;
    if (lines > BUDGET_LINES) failures.push(`${join(src, file)}: ${lines} lines (budget ${BUDGET_LINES})`);
  }
}
if (failures.length > 0) {
  console.error(`Adapter sources over budget; move session logic into packages/core:\n${failures.join('\n')}`);
  process.exit(1);
}
console.log('adapter sources within budget');
