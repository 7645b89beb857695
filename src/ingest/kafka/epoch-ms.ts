/**
 * `2024-03-01T10:00:00.123456+0000`, `...Z`, `...+01:00`, or with a space for `T`: ISO 8601 as
 * Zeek (`JSON::TS_ISO8601`) and Suricata (`flow.start`) write it. Suricata's offset has no colon,
 * which is why this is parsed by hand rather than by Date.parse, and the fraction is kept to the
 * microsecond rather than cut to the millisecond.
 */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2})?)?$/;

const NUMERIC = /^\d+(?:\.\d+)?$/;

/**
 * Largest epoch value of each unit that is still taken as that unit. Epoch seconds reach 1e11 only
 * in the year 5138 and epoch milliseconds fall below it only before 1973, so the ranges do not
 * overlap for any plausible flow: seconds < 1e11 ≤ ms < 1e14 ≤ µs < 1e17 ≤ ns.
 */
const MAX_SECONDS = 1e11;
const MAX_MILLIS = 1e14;
const MAX_MICROS = 1e17;

/**
 * Epoch milliseconds (float) of a timestamp given as epoch seconds, milliseconds, microseconds or
 * nanoseconds (told apart by magnitude), as a numeric string, or as ISO 8601 text (no zone = UTC).
 * Returns undefined when the value is none of these or is negative or not finite.
 */
export function toEpochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return numberToMs(value);
  if (typeof value !== 'string') return undefined;
  if (NUMERIC.test(value)) return numberToMs(Number(value));
  return isoToMs(value);
}

/** Epoch milliseconds of a number whose unit is told by its magnitude. */
export function numberToMs(value: number): number | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  if (value < MAX_SECONDS) return value * 1000;
  if (value < MAX_MILLIS) return value;
  if (value < MAX_MICROS) return value / 1000;
  return value / 1e6;
}

function isoToMs(text: string): number | undefined {
  const m = ISO_8601.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, offH, offM] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  // Date.UTC rolls invalid fields over (month 13 → next year); reject them instead.
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  let ms = Date.UTC(Number(y), month - 1, day, hour, minute, second);
  if (fraction !== undefined) ms += Number(`0.${fraction}`) * 1000;
  if (zulu === undefined && sign !== undefined) {
    const offsetMinutes = Number(offH) * 60 + Number(offM ?? '0');
    ms -= (sign === '-' ? -1 : 1) * offsetMinutes * 60_000;
  }
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
