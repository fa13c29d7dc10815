/**
 * CVSS v3.0/v3.1 base score from a vector string (the specification's formula), for records that give
 * a vector and no severity word. Anything that is not a complete v3 vector gives undefined.
 */
export type CvssLevel = 'low' | 'medium' | 'high' | 'critical';
export const CVSS_SEVERITY: Record<CvssLevel, 1 | 2 | 3 | 4> = { low: 1, medium: 2, high: 3, critical: 4 };

const AV: Record<string, number> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const AC: Record<string, number> = { L: 0.77, H: 0.44 };
const UI: Record<string, number> = { N: 0.85, R: 0.62 };
const CIA: Record<string, number> = { H: 0.56, L: 0.22, N: 0 };

export function cvss3Score(vector: string): number | undefined {
  if (vector.length > 200 || !/^CVSS:3\.[01]\//.test(vector)) return undefined;
  const m = new Map<string, string>();
  for (const part of vector.split('/').slice(1)) {
    const [k, v] = part.split(':');
    if (k && v) m.set(k, v);
  }
  const av = AV[m.get('AV') ?? ''];
  const ac = AC[m.get('AC') ?? ''];
  const ui = UI[m.get('UI') ?? ''];
  const scope = m.get('S');
  const pr = m.get('PR');
  const c = CIA[m.get('C') ?? ''];
  const i = CIA[m.get('I') ?? ''];
  const a = CIA[m.get('A') ?? ''];
  if ([av, ac, ui, c, i, a].some((x) => x === undefined) || (scope !== 'U' && scope !== 'C')) return undefined;
  const changed = scope === 'C';
  const prValue = pr === 'N' ? 0.85 : pr === 'L' ? (changed ? 0.68 : 0.62) : pr === 'H' ? (changed ? 0.5 : 0.27) : undefined;
  if (prValue === undefined) return undefined;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  if (impact <= 0) return 0;
  const exploitability = 8.22 * av * ac * prValue * ui;
  return roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
}

/** The specification's Roundup: the smallest one-decimal number not below x (robust to float noise). */
function roundUp(x: number): number {
  const n = Math.round(x * 100000);
  return n % 10000 === 0 ? n / 100000 : (Math.floor(n / 10000) + 1) / 10;
}

export function cvss3Severity(vector: string): CvssLevel | undefined {
  const score = cvss3Score(vector);
  if (score === undefined || score === 0) return undefined;
  return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
}
