/**
 * True for the 1st, 10th, 100th, ... occurrence. Sinks log a repeating failure (a dead
 * collector fails on every message) at these counts only, so the log shows that it goes on
 * and how often without drowning everything else.
 */
export function isLogWorthy(count: number): boolean {
  if (!Number.isInteger(count) || count < 1) return false;
  let rest = count;
  while (rest >= 10 && rest % 10 === 0) rest /= 10;
  return rest === 1;
}
