// Retry delay: base · 2^(attempt−1), jitter ±jitter, capped (SPEC §15).
export interface BackoffSettings {
  baseSeconds: number;
  capSeconds: number;
  /** Fraction, e.g. 0.2 for ±20 %. */
  jitter: number;
}

export function backoffSeconds(
  attempt: number,
  s: BackoffSettings,
  random: () => number = Math.random,
): number {
  const raw = s.baseSeconds * 2 ** Math.max(0, attempt - 1);
  const jittered = raw * (1 + s.jitter * (2 * random() - 1));
  return Math.min(s.capSeconds, Math.max(0, jittered));
}
