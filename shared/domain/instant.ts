/** The character code of the digit 0. */
const ZERO = 48;

/**
 * Milliseconds since the epoch of an ISO 8601 instant. The canonical form every stored time has
 * (`YYYY-MM-DDTHH:MM:SS.sssZ`, what toISOString writes) is read digit by digit, several times faster
 * than Date.parse, which scoring would otherwise call once per event; anything else goes to Date.parse.
 */
export function instantMs(text: string): number {
  const ms = canonicalInstantMs(text);
  return Number.isNaN(ms) ? Date.parse(text) : ms;
}

/**
 * Milliseconds since the epoch of a canonical instant: exactly the text toISOString writes for a year
 * from 0000 to 9999 (a real date, two-digit fields, three-digit fraction, `Z`), NaN for any other
 * text. Canonical texts are one per instant and sort as text in the order of their instants, so a
 * fold can order them by these numbers instead of comparing their characters.
 */
export function canonicalInstantMs(text: string): number {
  if (text.length !== 24) return Number.NaN;
  const c0 = text.charCodeAt(0) - ZERO;
  const c1 = text.charCodeAt(1) - ZERO;
  const c2 = text.charCodeAt(2) - ZERO;
  const c3 = text.charCodeAt(3) - ZERO;
  const c5 = text.charCodeAt(5) - ZERO;
  const c6 = text.charCodeAt(6) - ZERO;
  const c8 = text.charCodeAt(8) - ZERO;
  const c9 = text.charCodeAt(9) - ZERO;
  const c11 = text.charCodeAt(11) - ZERO;
  const c12 = text.charCodeAt(12) - ZERO;
  const c14 = text.charCodeAt(14) - ZERO;
  const c15 = text.charCodeAt(15) - ZERO;
  const c17 = text.charCodeAt(17) - ZERO;
  const c18 = text.charCodeAt(18) - ZERO;
  const c20 = text.charCodeAt(20) - ZERO;
  const c21 = text.charCodeAt(21) - ZERO;
  const c22 = text.charCodeAt(22) - ZERO;
  // Each is a digit when it is 0 to 9: a code below '0' is negative, and as unsigned above 9 too.
  if (
    c0 >>> 0 > 9 ||
    c1 >>> 0 > 9 ||
    c2 >>> 0 > 9 ||
    c3 >>> 0 > 9 ||
    c5 >>> 0 > 9 ||
    c6 >>> 0 > 9 ||
    c8 >>> 0 > 9 ||
    c9 >>> 0 > 9 ||
    c11 >>> 0 > 9 ||
    c12 >>> 0 > 9 ||
    c14 >>> 0 > 9 ||
    c15 >>> 0 > 9 ||
    c17 >>> 0 > 9 ||
    c18 >>> 0 > 9 ||
    c20 >>> 0 > 9 ||
    c21 >>> 0 > 9 ||
    c22 >>> 0 > 9 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 || // -
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 || // :
    text.charCodeAt(19) !== 46 || // .
    text.charCodeAt(23) !== 90 // Z
  )
    return Number.NaN;
  const year = c0 * 1000 + c1 * 100 + c2 * 10 + c3;
  const month = c5 * 10 + c6;
  const day = c8 * 10 + c9;
  const hour = c11 * 10 + c12;
  const minute = c14 * 10 + c15;
  const second = c17 * 10 + c18;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  let days: number;
  const slot = (year - TABLE_FIRST_YEAR) * 12 + month - 1;
  if (slot >= 0 && slot < TABLE_MONTHS) {
    const start = MONTH_START_DAYS[slot] as number;
    if (day > (MONTH_START_DAYS[slot + 1] as number) - start) return Number.NaN;
    days = start + day - 1;
  } else {
    if (day > 28 && day > daysInMonth(year, month)) return Number.NaN;
    days = daysFromCivil(year, month, day);
  }
  return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + (c20 * 100 + c21 * 10 + c22);
}

/** Days of each month from January, February of a common year. */
const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days since 1970-01-01 of the first of each month from 1970 to 2169, and of the month after: an
 * event's day is one lookup (and its month's length one subtraction) instead of the calendar's arithmetic.
 */
const TABLE_FIRST_YEAR = 1970;
const TABLE_YEARS = 200;
const TABLE_MONTHS = TABLE_YEARS * 12;
const MONTH_START_DAYS = monthStartDays();

/**
 * The table, month lengths added up: every function builds it at init, where a call per month (2,400
 * calls to daysFromCivil, run by the interpreter that cold code gets) took about 2 ms against 0.1.
 */
function monthStartDays(): Float64Array {
  const table = new Float64Array(TABLE_MONTHS + 1);
  let days = 0;
  let slot = 0;
  for (let year = TABLE_FIRST_YEAR; year < TABLE_FIRST_YEAR + TABLE_YEARS; year++) {
    for (let month = 1; month <= 12; month++) {
      table[slot++] = days;
      days += daysInMonth(year, month);
    }
  }
  table[slot] = days;
  return table;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return MONTH_LENGTHS[month - 1] as number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The instants instantText writes itself: years 0000 to 9999, the four-digit years of toISOString. */
const FIRST_FOUR_DIGIT_MS = -62_167_219_200_000;
const AFTER_FOUR_DIGIT_MS = 253_402_300_800_000;

/**
 * `new Date(ms).toISOString()`, written digit by digit for the years toISOString writes with four digits
 * (several times faster: an evaluation writes its lead's latest event time each time); anything else goes
 * to Date. The text is made in one piece from its character codes: joined from parts, it would be a
 * string per part, and a tree of them that every later comparison flattens first.
 */
export function instantText(ms: number): string {
  if (!(ms >= FIRST_FOUR_DIGIT_MS && ms < AFTER_FOUR_DIGIT_MS) || !Number.isInteger(ms))
    return new Date(ms).toISOString();
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  // H. Hinnant's civil_from_days, the inverse of daysFromCivil.
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return String.fromCharCode(
    ZERO + Math.floor(year / 1000),
    ZERO + (Math.floor(year / 100) % 10),
    ZERO + (Math.floor(year / 10) % 10),
    ZERO + (year % 10),
    45, // -
    ZERO + Math.floor(month / 10),
    ZERO + (month % 10),
    45, // -
    ZERO + Math.floor(day / 10),
    ZERO + (day % 10),
    84, // T
    ZERO + Math.floor(hour / 10),
    ZERO + (hour % 10),
    58, // :
    ZERO + Math.floor(minute / 10),
    ZERO + (minute % 10),
    58, // :
    ZERO + Math.floor(second / 10),
    ZERO + (second % 10),
    46, // .
    ZERO + Math.floor(milli / 100),
    ZERO + (Math.floor(milli / 10) % 10),
    ZERO + (milli % 10),
    90, // Z
  );
}
