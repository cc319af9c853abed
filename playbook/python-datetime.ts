// Python's datetime values, as Ansible's templates make them: `now()` gives a datetime,
// `'2024-05-01' | to_datetime('%Y-%m-%d')` reads one with datetime.strptime, and playbooks
// subtract them to get a timedelta (`(now() - started | to_datetime).total_seconds() > 3600`,
// `(expiry | to_datetime(fmt) - now()).days < 30`). Each value prints, compares and computes
// as CPython 3.11's datetime module does (test/unit/playbook/datetime.test.ts holds them
// against ansible-core's Templar), within datetime's own range (years 1 to 9999).
//
// A datetime is kept as its proleptic Gregorian day (Python's toordinal()) and the
// microseconds since that day's midnight, plus its UTC offset when it has one; a timedelta as
// its whole length in microseconds (a BigInt: 999,999,999 days do not fit a double exactly).
import { EXIT, HoundError } from '../base/errors.js';
import { pythonFloat } from '../base/python-float.js';
import { markTuple, pythonStringRepr } from '../base/python-repr.js';
import { localZoneName, strftimeOf } from './python-time.js';
import { isPythonNumber, pythonError, PythonObject, pythonRepr, pythonTruthy, pythonTypeName, splitArguments, UndefinedValue } from './template-values.js';

const MICROS_PER_SECOND = 1_000_000;
const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;
const MAX_DELTA_DAYS = 999_999_999;
const MAX_ORDINAL = 3_652_059; // 9999-12-31
/** toordinal() of 1970-01-01. */
const EPOCH_ORDINAL = 719_163;

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

// ---------------------------------------------------------------------------------------
// The calendar (Python's datetime.py: _days_before_year, _ymd2ord, _ord2ymd).

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function daysBeforeYear(year: number): number {
  const y = year - 1;
  return y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400);
}

function daysBeforeMonth(year: number, month: number): number {
  let days = 0;
  for (let m = 1; m < month; m++) days += daysInMonth(year, m);
  return days;
}

function toOrdinal(year: number, month: number, day: number): number {
  return daysBeforeYear(year) + daysBeforeMonth(year, month) + day;
}

function fromOrdinal(ordinal: number): { year: number; month: number; day: number } {
  // Years of 400, 100 and 4, as _ord2ymd counts them.
  let n = ordinal - 1;
  const n400 = Math.floor(n / 146_097);
  n %= 146_097;
  const n100 = Math.floor(n / 36_524);
  n %= 36_524;
  const n4 = Math.floor(n / 1_461);
  n %= 1_461;
  const n1 = Math.floor(n / 365);
  n %= 365;
  let year = n400 * 400 + n100 * 100 + n4 * 4 + n1 + 1;
  if (n1 === 4 || n100 === 4) return { year: year - 1, month: 12, day: 31 };
  let month = 1;
  while (n >= daysInMonth(year, month)) {
    n -= daysInMonth(year, month);
    month++;
  }
  if (month > 12) {
    year++;
    month = 1;
  }
  return { year, month, day: n + 1 };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Python's floor division and modulo of BigInts (BigInt's / and % truncate toward zero). */
function floorDivMod(a: bigint, b: bigint): [bigint, bigint] {
  let q = a / b;
  let r = a % b;
  if (r !== 0n && r < 0n !== b < 0n) {
    q -= 1n;
    r += b;
  }
  return [q, r];
}

function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/** n / d as the nearest double, ties to even: Python's true division of two ints (exact, where Number(n) / Number(d) rounds twice). */
function ratioToNumber(n: bigint, d: bigint): number {
  if (d === 0n) throw pythonError('ZeroDivisionError', 'division by zero');
  const negative = n < 0n !== d < 0n;
  const [a, b] = [n < 0n ? -n : n, d < 0n ? -d : d];
  if (a === 0n) return 0;
  const exact = 1n << 53n;
  if (a < exact && b < exact) return (negative ? -1 : 1) * (Number(a) / Number(b));
  // A quotient of 55 or 56 bits, rounded to 53 with the remainder as the sticky bit.
  const shift = bitLength(b) - bitLength(a) + 55;
  const [scaledA, scaledB] = shift >= 0 ? [a << BigInt(shift), b] : [a, b << BigInt(-shift)];
  const quotient = scaledA / scaledB;
  const sticky = scaledA % scaledB !== 0n;
  const extra = BigInt(bitLength(quotient) - 53);
  let mantissa = quotient >> extra;
  const rest = quotient & ((1n << extra) - 1n);
  const half = 1n << (extra - 1n);
  if (rest > half || (rest === half && (sticky || (mantissa & 1n) === 1n))) mantissa += 1n;
  const value = Number(mantissa) * 2 ** (Number(extra) - shift);
  return negative ? -value : value;
}

/** a / b rounded to the nearest int, ties to even (CPython's divide_nearest, which timedelta's / and * by a float use). */
function divideNearest(a: bigint, b: bigint): bigint {
  const [quotient, remainder] = floorDivMod(a, b);
  const twice = 2n * remainder;
  const beyondHalf = b > 0n ? twice > b : twice < b;
  return beyondHalf || (twice === b && (quotient & 1n) === 1n) ? quotient + 1n : quotient;
}

/** float.as_integer_ratio(): the exact numerator and denominator of a double (not reduced). */
function floatRatio(value: number): [bigint, bigint] {
  if (!Number.isFinite(value)) throw pythonError(Number.isNaN(value) ? 'ValueError' : 'OverflowError', 'cannot convert float NaN or infinity to integer ratio');
  let numerator = value;
  let exponent = 0;
  while (!Number.isInteger(numerator)) {
    numerator *= 2;
    exponent++;
  }
  return [BigInt(numerator), 1n << BigInt(exponent)];
}

function overflow(what = 'date value out of range'): HoundError {
  return pythonError('OverflowError', what);
}

function unsupported(what: string): HoundError {
  return new HoundError('TEMPLATE_UNSUPPORTED', `${what} is not supported in hound's templates`, EXIT.PARSE, {
    hint: "compute with the datetime's numbers (year, month, day, hour, minute, second, microsecond, timestamp()) or with a timedelta",
  });
}

// ---------------------------------------------------------------------------------------
// timedelta

export class PythonTimeDelta extends PythonObject {
  readonly typeName = 'timedelta';
  readonly qualifiedTypeName = 'datetime.timedelta';
  readonly days: number;
  readonly seconds: number;
  readonly microseconds: number;

  /** `micros`: the whole length, in microseconds. */
  constructor(readonly micros: bigint) {
    super();
    const [days, rest] = floorDivMod(micros, BigInt(MICROS_PER_DAY));
    if (days > BigInt(MAX_DELTA_DAYS) || days < -BigInt(MAX_DELTA_DAYS)) throw overflow(`days=${days}; must have magnitude <= ${MAX_DELTA_DAYS}`);
    this.days = Number(days);
    this.seconds = Math.floor(Number(rest) / MICROS_PER_SECOND);
    this.microseconds = Number(rest) % MICROS_PER_SECOND;
  }

  str(): string {
    const hh = Math.floor(this.seconds / 3600);
    const mm = Math.floor((this.seconds % 3600) / 60);
    const ss = this.seconds % 60;
    let out = `${hh}:${pad(mm, 2)}:${pad(ss, 2)}`;
    if (this.days !== 0) out = `${this.days} day${Math.abs(this.days) !== 1 ? 's' : ''}, ${out}`;
    if (this.microseconds !== 0) out += `.${pad(this.microseconds, 6)}`;
    return out;
  }

  repr(): string {
    const args: string[] = [];
    if (this.days !== 0) args.push(`days=${this.days}`);
    if (this.seconds !== 0) args.push(`seconds=${this.seconds}`);
    if (this.microseconds !== 0) args.push(`microseconds=${this.microseconds}`);
    return `datetime.timedelta(${args.length === 0 ? '0' : args.join(', ')})`;
  }

  override truthy(): boolean {
    return this.micros !== 0n;
  }

  equals(other: unknown): boolean {
    return other instanceof PythonTimeDelta && other.micros === this.micros;
  }

  order(other: unknown): number | undefined {
    if (!(other instanceof PythonTimeDelta)) return undefined;
    return this.micros < other.micros ? -1 : this.micros > other.micros ? 1 : 0;
  }

  attribute(name: string): unknown {
    switch (name) {
      case 'days':
        return this.days;
      case 'seconds':
        return this.seconds;
      case 'microseconds':
        return this.microseconds;
      case 'total_seconds':
        return () => pythonFloat(ratioToNumber(this.micros, BigInt(MICROS_PER_SECOND)));
      default:
        return undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------
// datetime and date

/** A tzinfo of datetime.timezone: a fixed offset from UTC, and the name strptime's %Z gave it. */
interface FixedZone {
  /** Microseconds east of UTC. */
  offset: number;
  name?: string;
}

function zoneRepr(zone: FixedZone): string {
  if (zone.offset === 0 && zone.name === undefined) return 'datetime.timezone.utc';
  const delta = new PythonTimeDelta(BigInt(zone.offset)).repr();
  return `datetime.timezone(${delta}${zone.name === undefined ? '' : `, ${pythonStringRepr(zone.name)}`})`;
}

/** utcoffset() as isoformat and %z write it: +HH:MM, with :SS and .ffffff when not whole (`colon` false for %z: +HHMM). */
function offsetText(offset: number, colon: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  let rest = Math.abs(offset);
  const micros = rest % MICROS_PER_SECOND;
  rest = Math.floor(rest / MICROS_PER_SECOND);
  const sep = colon ? ':' : '';
  let out = `${sign}${pad(Math.floor(rest / 3600), 2)}${sep}${pad(Math.floor((rest % 3600) / 60), 2)}`;
  if (rest % 60 !== 0 || micros !== 0) out += `${sep}${pad(rest % 60, 2)}`;
  if (micros !== 0) out += `.${pad(micros, 6)}`;
  return out;
}

/**
 * datetime.datetime, or datetime.date when `isDate` (a datetime's date(); date has no time,
 * and neither compares nor subtracts with the other).
 */
export class PythonDateTime extends PythonObject {
  readonly typeName: string;
  readonly qualifiedTypeName: string;
  readonly year: number;
  readonly month: number;
  readonly day: number;

  constructor(
    /** toordinal(): 1 is 0001-01-01. */
    readonly ordinal: number,
    /** Microseconds since midnight (0 for a date). */
    readonly micros: number,
    readonly zone: FixedZone | undefined,
    readonly isDate = false,
  ) {
    super();
    if (ordinal < 1 || ordinal > MAX_ORDINAL) throw overflow();
    this.typeName = isDate ? 'date' : 'datetime';
    this.qualifiedTypeName = `datetime.${this.typeName}`;
    ({ year: this.year, month: this.month, day: this.day } = fromOrdinal(ordinal));
  }

  get hour(): number {
    return Math.floor(this.micros / (3600 * MICROS_PER_SECOND));
  }
  get minute(): number {
    return Math.floor(this.micros / (60 * MICROS_PER_SECOND)) % 60;
  }
  get second(): number {
    return Math.floor(this.micros / MICROS_PER_SECOND) % 60;
  }
  get microsecond(): number {
    return this.micros % MICROS_PER_SECOND;
  }
  /** Monday 0. */
  get weekday(): number {
    return (this.ordinal + 6) % 7;
  }

  isoformat(sep = 'T', timespec = 'auto'): string {
    const date = `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`;
    if (this.isDate) return date;
    let time: string;
    const [h, m, s, us] = [pad(this.hour, 2), pad(this.minute, 2), pad(this.second, 2), this.microsecond];
    const spec = timespec === 'auto' ? (us === 0 ? 'seconds' : 'microseconds') : timespec;
    switch (spec) {
      case 'hours':
        time = h;
        break;
      case 'minutes':
        time = `${h}:${m}`;
        break;
      case 'seconds':
        time = `${h}:${m}:${s}`;
        break;
      case 'milliseconds':
        time = `${h}:${m}:${s}.${pad(Math.floor(us / 1000), 3)}`;
        break;
      case 'microseconds':
        time = `${h}:${m}:${s}.${pad(us, 6)}`;
        break;
      default:
        throw pythonError('ValueError', 'Unknown timespec value');
    }
    return `${date}${sep}${time}${this.zone === undefined ? '' : offsetText(this.zone.offset, true)}`;
  }

  str(): string {
    return this.isoformat(' ');
  }

  repr(): string {
    if (this.isDate) return `datetime.date(${this.year}, ${this.month}, ${this.day})`;
    const fields = [this.year, this.month, this.day, this.hour, this.minute, this.second, this.microsecond];
    if (fields[6] === 0) fields.pop();
    if (fields.length === 6 && fields[5] === 0) fields.pop();
    const zone = this.zone === undefined ? '' : `, tzinfo=${zoneRepr(this.zone)}`;
    return `datetime.datetime(${fields.join(', ')}${zone})`;
  }

  /** Microseconds since 0001-01-01 in UTC (an aware datetime) or on its own clock (a naive one). */
  private instant(): bigint {
    return BigInt(this.ordinal) * BigInt(MICROS_PER_DAY) + BigInt(this.micros) - BigInt(this.zone?.offset ?? 0);
  }

  equals(other: unknown): boolean {
    if (!(other instanceof PythonDateTime) || other.isDate !== this.isDate) return false;
    // Python: a naive and an aware datetime are never equal.
    if ((this.zone === undefined) !== (other.zone === undefined)) return false;
    return this.instant() === other.instant();
  }

  order(other: unknown): number | undefined {
    if (!(other instanceof PythonDateTime)) return undefined;
    if (other.isDate !== this.isDate) throw pythonError('TypeError', `can't compare ${this.qualifiedTypeName} to ${other.qualifiedTypeName}`);
    if ((this.zone === undefined) !== (other.zone === undefined)) throw pythonError('TypeError', `can't compare offset-naive and offset-aware datetimes`);
    const [a, b] = [this.instant(), other.instant()];
    return a < b ? -1 : a > b ? 1 : 0;
  }

  override toJSON(): unknown {
    // Ansible's AnsibleJSONEncoder writes a date or datetime as its isoformat().
    return this.isoformat();
  }

  override yamlScalar(): string {
    return this.isoformat(' ');
  }

  /** The seconds since the epoch of this datetime's fields on the local clock (mktime, glibc's %s). */
  private localEpochSeconds(): number {
    const date = new Date(2000, this.month - 1, this.day, this.hour, this.minute, this.second);
    date.setFullYear(this.year);
    return Math.floor(date.getTime() / 1000);
  }

  /** timestamp(): seconds since the epoch, an aware datetime by its offset, a naive one on the local clock. */
  timestamp(): number {
    if (this.zone !== undefined) return ratioToNumber(this.instant() - BigInt(EPOCH_ORDINAL) * BigInt(MICROS_PER_DAY), BigInt(MICROS_PER_SECOND));
    return this.localEpochSeconds() + this.microsecond / MICROS_PER_SECOND;
  }

  /** datetime.strftime: %f, %z and %Z from the datetime itself, the rest by glibc over timetuple(). */
  strftime(format: string): string {
    const replaced = format.replace(/%([fzZ%]?)/g, (whole, directive: string) => {
      if (directive === 'f') return pad(this.microsecond, 6);
      if (directive === 'z') return this.zone === undefined ? '' : offsetText(this.zone.offset, false);
      if (directive === 'Z')
        return this.zone === undefined ? '' : (this.zone.name ?? (this.zone.offset === 0 ? 'UTC' : `UTC${offsetText(this.zone.offset, true)}`));
      return whole;
    });
    const yearDay = this.ordinal - toOrdinal(this.year, 1, 1);
    return strftimeOf(replaced, {
      year: this.year,
      month: this.month - 1,
      day: this.day,
      hour: this.hour,
      minute: this.minute,
      second: this.second,
      weekday: (this.weekday + 1) % 7,
      yearDay,
      offset: 0,
      zone: () => '',
      epoch: this.localEpochSeconds(),
    });
  }

  private with(ordinal: number, micros: number): PythonDateTime {
    return new PythonDateTime(ordinal, micros, this.zone, this.isDate);
  }

  /** This value moved by a timedelta (a date by its days only, as Python's date + timedelta). */
  plus(delta: PythonTimeDelta, sign: 1 | -1): PythonDateTime {
    if (this.isDate) return this.with(this.ordinal + sign * delta.days, 0);
    const total = BigInt(this.ordinal) * BigInt(MICROS_PER_DAY) + BigInt(this.micros) + BigInt(sign) * delta.micros;
    const [days, micros] = floorDivMod(total, BigInt(MICROS_PER_DAY));
    if (days < 1n || days > BigInt(MAX_ORDINAL)) throw overflow();
    return this.with(Number(days), Number(micros));
  }

  /** this - other, both dates or both datetimes (naive or aware alike). */
  minus(other: PythonDateTime): PythonTimeDelta {
    if ((this.zone === undefined) !== (other.zone === undefined)) throw pythonError('TypeError', "can't subtract offset-naive and offset-aware datetimes");
    return new PythonTimeDelta(this.instant() - other.instant());
  }

  attribute(name: string): unknown {
    const timeAttributes: Record<string, () => unknown> = {
      hour: () => this.hour,
      minute: () => this.minute,
      second: () => this.second,
      microsecond: () => this.microsecond,
      fold: () => 0,
      tzinfo: () => {
        if (this.zone === undefined) return null;
        throw unsupported("a datetime's tzinfo object");
      },
      date: () => () => new PythonDateTime(this.ordinal, 0, undefined, true),
      timestamp: () => () => pythonFloat(this.timestamp()),
      utcoffset: () => () => (this.zone === undefined ? null : new PythonTimeDelta(BigInt(this.zone.offset))),
      tzname: () => () => (this.zone === undefined ? null : this.strftime('%Z')),
      time: () => () => {
        throw unsupported("a datetime's time() object");
      },
      astimezone: () => () => {
        throw unsupported('datetime.astimezone()');
      },
    };
    const dateAttributes: Record<string, () => unknown> = {
      year: () => this.year,
      month: () => this.month,
      day: () => this.day,
      weekday: () => () => this.weekday,
      isoweekday: () => () => this.weekday + 1,
      toordinal: () => () => this.ordinal,
      isoformat:
        () =>
        (...args: unknown[]) => {
          const { positional, keywords } = splitArguments(args);
          const sep = positional[0] ?? keywords.sep ?? 'T';
          const timespec = positional[1] ?? keywords.timespec ?? 'auto';
          if (this.isDate) return this.isoformat();
          if (typeof sep !== 'string' || [...sep].length !== 1)
            throw pythonError('TypeError', `isoformat() argument 1 must be a unicode character, not ${pythonTypeName(sep)}`);
          if (typeof timespec !== 'string') throw pythonError('TypeError', `isoformat() argument 2 must be str, not ${pythonTypeName(timespec)}`);
          return this.isoformat(sep, timespec);
        },
      strftime: () => (format: unknown) => {
        if (typeof format !== 'string') throw pythonError('TypeError', `strftime() argument 1 must be str, not ${pythonTypeName(format)}`);
        return this.strftime(format);
      },
      // date.ctime(): C's asctime(), the year in four digits.
      ctime: () => () => this.strftime(`%a %b %e %H:%M:%S ${pad(this.year, 4)}`),
      isocalendar: () => () => {
        const [year, week] = isoYearWeek(this.ordinal);
        return markTuple([year, week, this.weekday + 1]);
      },
      replace:
        () =>
        (...args: unknown[]) =>
          this.replaced(args),
    };
    const attributes = this.isDate ? dateAttributes : { ...dateAttributes, ...timeAttributes };
    return Object.hasOwn(attributes, name) ? attributes[name]() : undefined;
  }

  /** replace(year=…, month=…, …): the fields given changed, each checked as the constructor checks it. */
  private replaced(args: unknown[]): PythonDateTime {
    const { positional, keywords } = splitArguments(args);
    const names = this.isDate ? ['year', 'month', 'day'] : ['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond', 'tzinfo'];
    if (positional.length > names.length) throw pythonError('TypeError', `replace() takes at most ${names.length} arguments (${positional.length} given)`);
    const fields: Record<string, unknown> = {
      year: this.year,
      month: this.month,
      day: this.day,
      hour: this.hour,
      minute: this.minute,
      second: this.second,
      microsecond: this.microsecond,
    };
    positional.forEach((value, i) => (fields[names[i]] = value));
    for (const [key, value] of Object.entries(keywords)) {
      if (!names.includes(key)) throw pythonError('TypeError', `'${key}' is an invalid keyword argument for replace()`);
      fields[key] = value;
    }
    let zone = this.zone;
    if (Object.hasOwn(fields, 'tzinfo')) {
      if (fields.tzinfo !== null) throw unsupported('replace(tzinfo=…) with a time zone');
      zone = undefined;
    }
    return makeDateTime(fields, zone, this.isDate);
  }
}

/** ISO 8601's year and week of a day (date.isocalendar()). */
function isoYearWeek(ordinal: number): [number, number] {
  const weekStart = (year: number) => {
    const first = toOrdinal(year, 1, 1);
    const firstWeekday = (first + 6) % 7;
    let start = first - firstWeekday;
    if (firstWeekday > 3) start += 7;
    return start;
  };
  let { year } = fromOrdinal(ordinal);
  let start = weekStart(year);
  if (ordinal < start) start = weekStart(--year);
  else if (ordinal >= weekStart(year + 1)) start = weekStart(++year);
  return [year, Math.floor((ordinal - start) / 7) + 1];
}

/** datetime(year, month, day, hour, minute, second, microsecond) with Python's checks and messages. */
function makeDateTime(fields: Record<string, unknown>, zone: FixedZone | undefined, isDate: boolean): PythonDateTime {
  const value = (name: string): number => {
    const v = fields[name];
    if (v instanceof UndefinedValue) v.fail();
    if (typeof v === 'boolean') return Number(v);
    if (typeof v !== 'number' || !Number.isInteger(v)) throw pythonError('TypeError', `'${pythonTypeName(v)}' object cannot be interpreted as an integer`);
    return v;
  };
  const year = value('year');
  const month = value('month');
  const day = value('day');
  if (year < 1 || year > 9999) throw pythonError('ValueError', `year ${year} is out of range`);
  if (month < 1 || month > 12) throw pythonError('ValueError', 'month must be in 1..12');
  if (day < 1 || day > daysInMonth(year, month)) throw pythonError('ValueError', 'day is out of range for month');
  if (isDate) return new PythonDateTime(toOrdinal(year, month, day), 0, undefined, true);
  const hour = value('hour');
  const minute = value('minute');
  const second = value('second');
  const microsecond = value('microsecond');
  if (hour < 0 || hour > 23) throw pythonError('ValueError', 'hour must be in 0..23');
  if (minute < 0 || minute > 59) throw pythonError('ValueError', 'minute must be in 0..59');
  if (second < 0 || second > 59) throw pythonError('ValueError', 'second must be in 0..59');
  if (microsecond < 0 || microsecond > 999_999) throw pythonError('ValueError', 'microsecond must be in 0..999999');
  const micros = ((hour * 60 + minute) * 60 + second) * MICROS_PER_SECOND + microsecond;
  return new PythonDateTime(toOrdinal(year, month, day), micros, zone);
}

// ---------------------------------------------------------------------------------------
// Arithmetic

/**
 * `left op right` when either side is a datetime, date or timedelta, as Python computes it; a
 * pair Python refuses is its TypeError. Undefined when neither side is one (plain arithmetic).
 */
export function dateTimeArithmetic(op: '+' | '-' | '*' | '/' | '//' | '%', left: unknown, right: unknown): unknown {
  const isTime = (v: unknown) => v instanceof PythonDateTime || v instanceof PythonTimeDelta;
  if (!isTime(left) && !isTime(right)) return undefined;
  const refuse = () => pythonError('TypeError', `unsupported operand type(s) for ${op}: '${pythonTypeName(left)}' and '${pythonTypeName(right)}'`);
  if (op === '+' || op === '-') {
    if (left instanceof PythonDateTime && right instanceof PythonTimeDelta) return left.plus(right, op === '+' ? 1 : -1);
    if (op === '+' && left instanceof PythonTimeDelta && right instanceof PythonDateTime) return right.plus(left, 1);
    if (left instanceof PythonTimeDelta && right instanceof PythonTimeDelta)
      return new PythonTimeDelta(op === '+' ? left.micros + right.micros : left.micros - right.micros);
    if (op === '-' && left instanceof PythonDateTime && right instanceof PythonDateTime && left.isDate === right.isDate) return left.minus(right);
    throw refuse();
  }
  const isInt = (v: unknown) => typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));
  if (op === '*') {
    const [delta, factor] = left instanceof PythonTimeDelta ? [left, right] : [right, left];
    if (!(delta instanceof PythonTimeDelta) || !isPythonNumber(factor)) throw refuse();
    if (isInt(factor)) return new PythonTimeDelta(delta.micros * BigInt(Number(factor)));
    const [numerator, denominator] = floatRatio(Number(factor));
    return new PythonTimeDelta(divideNearest(delta.micros * numerator, denominator));
  }
  if (!(left instanceof PythonTimeDelta)) throw refuse();
  if (right instanceof PythonTimeDelta) {
    if (right.micros === 0n) throw pythonError('ZeroDivisionError', op === '/' ? 'division by zero' : 'integer division or modulo by zero');
    if (op === '/') return pythonFloat(ratioToNumber(left.micros, right.micros));
    const [quotient, remainder] = floorDivMod(left.micros, right.micros);
    return op === '//' ? Number(quotient) : new PythonTimeDelta(remainder);
  }
  if (op === '%' || !isPythonNumber(right) || (op === '//' && !isInt(right))) throw refuse();
  if (Number(right) === 0) throw pythonError('ZeroDivisionError', op === '/' ? 'division by zero' : 'integer division or modulo by zero');
  if (op === '//') return new PythonTimeDelta(floorDivMod(left.micros, BigInt(Number(right)))[0]);
  if (isInt(right)) return new PythonTimeDelta(divideNearest(left.micros, BigInt(Number(right))));
  const [numerator, denominator] = floatRatio(Number(right));
  return new PythonTimeDelta(divideNearest(left.micros * denominator, numerator));
}

/** -x, +x and abs(x) of a timedelta; undefined for anything else. */
export function timeDeltaUnary(op: '-' | '+' | 'abs', operand: unknown): PythonTimeDelta | undefined {
  if (!(operand instanceof PythonTimeDelta)) return undefined;
  if (op === '+') return operand;
  if (op === '-' || operand.micros < 0n) return new PythonTimeDelta(-operand.micros);
  return operand;
}

// ---------------------------------------------------------------------------------------
// now() and strptime

/** Ansible's `now(utc=False, fmt=None)`: the current datetime (naive, local or UTC), or its strftime(fmt). */
export function pythonNow(...args: unknown[]): unknown {
  const { positional, keywords } = splitArguments(args);
  if (positional.length > 2) throw pythonError('TypeError', `_now_datetime() takes from 1 to 3 positional arguments but ${positional.length + 1} were given`);
  for (const key of Object.keys(keywords))
    if (key !== 'utc' && key !== 'fmt') throw pythonError('TypeError', `_now_datetime() got an unexpected keyword argument '${key}'`);
  const utc = positional[0] ?? keywords.utc ?? false;
  const format = positional[1] ?? keywords.fmt ?? null;
  for (const v of [utc, format]) if (v instanceof UndefinedValue) v.fail();
  // Microseconds, as datetime.now() has them: Date has milliseconds, performance.now() the rest.
  const nowMicros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const date = new Date(Math.floor(nowMicros / 1000));
  const fields = pythonTruthy(utc)
    ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()];
  const [year, month, day, hour, minute, second] = fields;
  const now = makeDateTime({ year, month, day, hour, minute, second, microsecond: nowMicros % MICROS_PER_SECOND }, undefined, false);
  // Ansible's `if fmt:`.
  if (!pythonTruthy(format)) return now;
  if (typeof format !== 'string') throw pythonError('TypeError', `strftime() argument 1 must be str, not ${pythonTypeName(format)}`);
  return now.strftime(format);
}

/** The C locale's names, as _strptime's LocaleTime has them (lower case; it matches ignoring case). */
function names(list: string[], length?: number): string[] {
  return list.map((n) => (length === undefined ? n : n.slice(0, length)).toLowerCase());
}

/** `\s+` for whitespace and escapes for regex characters, as TimeRE.pattern prepares a format. */
const REGEX_CHARACTERS = /[\\.^$*+?(){}[\]|]/g;

/** The regex of each directive, as CPython 3.11's _strptime.TimeRE has them in the C locale. */
function directiveRegex(directive: string): string | undefined {
  const alternatives = (list: string[]) => [...list].sort((a, b) => b.length - a.length).join('|');
  switch (directive) {
    case 'd':
      return '(?<d>3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])';
    case 'f':
      return '(?<f>[0-9]{1,6})';
    case 'H':
      return '(?<H>2[0-3]|[0-1]\\d|\\d)';
    case 'I':
      return '(?<I>1[0-2]|0[1-9]|[1-9])';
    case 'G':
      return '(?<G>\\d\\d\\d\\d)';
    case 'j':
      return '(?<j>36[0-6]|3[0-5]\\d|[1-2]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])';
    case 'm':
      return '(?<m>1[0-2]|0[1-9]|[1-9])';
    case 'M':
      return '(?<M>[0-5]\\d|\\d)';
    case 'S':
      return '(?<S>6[0-1]|[0-5]\\d|\\d)';
    case 'U':
      return '(?<U>5[0-3]|[0-4]\\d|\\d)';
    case 'W':
      return '(?<W>5[0-3]|[0-4]\\d|\\d)';
    case 'w':
      return '(?<w>[0-6])';
    case 'u':
      return '(?<u>[1-7])';
    case 'V':
      return '(?<V>5[0-3]|0[1-9]|[1-4]\\d|\\d)';
    case 'y':
      return '(?<y>\\d\\d)';
    case 'Y':
      return '(?<Y>\\d\\d\\d\\d)';
    // `Z` is matched ignoring case here; strptime checks it is upper case, as Python's (?-i:Z).
    case 'z':
      return '(?<z>[+-]\\d\\d:?[0-5]\\d(:?[0-5]\\d(\\.\\d{1,6})?)?|Z)';
    case 'A':
      return `(?<A>${alternatives(names(DAY_NAMES))})`;
    case 'a':
      return `(?<a>${alternatives(names(DAY_NAMES, 3))})`;
    case 'B':
      return `(?<B>${alternatives(names(MONTH_NAMES))})`;
    case 'b':
      return `(?<b>${alternatives(names(MONTH_NAMES, 3))})`;
    case 'p':
      return '(?<p>am|pm)';
    case 'Z':
      return `(?<Z>${alternatives([...zoneNames()].map((n) => n.replace(REGEX_CHARACTERS, '\\$&')))})`;
    case '%':
      return '%';
    default:
      return undefined;
  }
}

/** The names %Z matches: utc, gmt and this machine's zone's (time.tzname), lower case. */
function zoneNames(): Set<string> {
  const year = new Date().getFullYear();
  const zones = new Set(['utc', 'gmt']);
  for (const month of [0, 6]) {
    try {
      zones.add(localZoneName(new Date(year, month, 1)).toLowerCase());
    } catch {
      // A zone Intl cannot abbreviate: %Z matches utc and gmt only.
    }
  }
  return zones;
}

/** The locale's composite directives, as the C locale writes them (TimeRE's c, x and X). */
const STRPTIME_COMPOSITES: Readonly<Record<string, string>> = { c: '%a %b %d %H:%M:%S %Y', x: '%m/%d/%y', X: '%H:%M:%S' };

const strptimeRegexes = new Map<string, RegExp>();

function strptimeRegex(format: string): RegExp {
  let regex = strptimeRegexes.get(format);
  if (regex !== undefined) return regex;
  const pattern = (fmt: string, seen: Set<string>): string => {
    let text = fmt.replace(REGEX_CHARACTERS, '\\$&').replace(/\s+/g, '\\s+');
    let out = '';
    for (;;) {
      const at = text.indexOf('%');
      if (at < 0) return out + text;
      if (at + 1 >= text.length) throw pythonError('ValueError', `stray % in format '${format}'`);
      const directive = text[at + 1];
      const composite = STRPTIME_COMPOSITES[directive];
      const part = composite !== undefined ? pattern(composite, seen) : directiveRegex(directive);
      if (part === undefined) throw pythonError('ValueError', `'${directive === '\\' ? '%' : directive}' is a bad directive in format '${format}'`);
      // Python's re refuses a group named twice ("redefinition of group name"); a composite's were counted inside it.
      if (composite === undefined)
        for (const name of part.matchAll(/\(\?<(\w)>/g)) {
          if (seen.has(name[1])) throw pythonError('ValueError', `redefinition of group name ${pythonRepr(name[1])} as group in format ${pythonRepr(format)}`);
          seen.add(name[1]);
        }
      out += text.slice(0, at) + part;
      text = text.slice(at + 2);
    }
  };
  regex = new RegExp(pattern(format, new Set()), 'iuy');
  if (strptimeRegexes.size >= 1000) strptimeRegexes.clear();
  strptimeRegexes.set(format, regex);
  return regex;
}

/** datetime.datetime.strptime(text, format), as CPython 3.11's _strptime reads it in the C locale. */
export function pythonStrptime(text: unknown, format: unknown): PythonDateTime {
  for (const [index, arg] of [text, format].entries()) {
    if (arg instanceof UndefinedValue) arg.fail();
    if (typeof arg !== 'string') throw pythonError('TypeError', `strptime() argument ${index + 1} must be str, not ${pythonTypeName(arg)}`);
  }
  const [data, fmt] = [text as string, format as string];
  const regex = strptimeRegex(fmt);
  regex.lastIndex = 0;
  const found = regex.exec(data);
  const groups = found?.groups ?? {};
  if (found === null || (groups.z !== undefined && groups.z.toLowerCase() === 'z' && groups.z !== 'Z'))
    throw pythonError('ValueError', `time data ${pythonRepr(data)} does not match format ${pythonRepr(fmt)}`);
  if (found[0].length !== data.length) throw pythonError('ValueError', `unconverted data remains: ${data.slice(found[0].length)}`);
  const has = (name: string) => groups[name] !== undefined;
  const int = (name: string) => Number(groups[name]);
  let year: number | undefined;
  let isoYear: number | undefined;
  let [month, day, hour, minute, second, fraction] = [1, 1, 0, 0, 0, 0];
  let weekday: number | undefined;
  let julian: number | undefined;
  let weekOfYear: number | undefined;
  let weekStartsMonday = false;
  let isoWeek: number | undefined;
  let zone: FixedZone | undefined;
  if (has('y')) year = int('y') + (int('y') <= 68 ? 2000 : 1900);
  if (has('Y')) year = int('Y');
  if (has('G')) isoYear = int('G');
  if (has('m')) month = int('m');
  if (has('B')) month = names(MONTH_NAMES).indexOf(groups.B.toLowerCase()) + 1;
  if (has('b')) month = names(MONTH_NAMES, 3).indexOf(groups.b.toLowerCase()) + 1;
  if (has('d')) day = int('d');
  if (has('H')) hour = int('H');
  if (has('I')) {
    hour = int('I');
    const ampm = (groups.p ?? '').toLowerCase();
    if (ampm === '' || ampm === 'am') {
      if (hour === 12) hour = 0;
    } else if (hour !== 12) hour += 12;
  }
  if (has('M')) minute = int('M');
  if (has('S')) second = int('S');
  if (has('f')) fraction = Number(groups.f.padEnd(6, '0'));
  if (has('A')) weekday = names(DAY_NAMES).indexOf(groups.A.toLowerCase());
  if (has('a')) weekday = names(DAY_NAMES, 3).indexOf(groups.a.toLowerCase());
  if (has('w')) weekday = (int('w') + 6) % 7;
  if (has('u')) weekday = int('u') - 1;
  if (has('j')) julian = int('j');
  if (has('U')) weekOfYear = int('U');
  if (has('W')) {
    weekOfYear = int('W');
    weekStartsMonday = true;
  }
  if (has('V')) isoWeek = int('V');
  if (has('z')) zone = { offset: zoneOffset(groups.z) };
  if (has('Z') && zone !== undefined) zone.name = groups.Z;
  if (year === undefined && isoYear !== undefined) {
    if (isoWeek === undefined || weekday === undefined)
      throw pythonError(
        'ValueError',
        "ISO year directive '%G' must be used with the ISO week directive '%V' and a weekday directive ('%A', '%a', '%w', or '%u').",
      );
    if (julian !== undefined)
      throw pythonError('ValueError', "Day of the year directive '%j' is not compatible with ISO year directive '%G'. Use '%Y' instead.");
  } else if (weekOfYear === undefined && isoWeek !== undefined) {
    if (weekday === undefined)
      throw pythonError(
        'ValueError',
        "ISO week directive '%V' must be used with the ISO year directive '%G' and a weekday directive ('%A', '%a', '%w', or '%u').",
      );
    throw pythonError('ValueError', "ISO week directive '%V' is incompatible with the year directive '%Y'. Use the ISO year '%G' instead.");
  }
  let leapYearFix = false;
  if (year === undefined && month === 2 && day === 29) {
    year = 1904;
    leapYearFix = true;
  } else year ??= 1900;
  if (julian === undefined && weekday !== undefined) {
    if (weekOfYear !== undefined) julian = julianFromWeek(year, weekOfYear, weekday, weekStartsMonday);
    else if (isoYear !== undefined && isoWeek !== undefined) [year, julian] = julianFromIsoWeek(isoYear, isoWeek, weekday + 1);
    if (julian !== undefined && julian <= 0) {
      year -= 1;
      julian += isLeap(year) ? 366 : 365;
    }
  }
  if (julian !== undefined) {
    if (year < 1 || year > 9999) throw pythonError('ValueError', `year ${year} is out of range`);
    const ordinal = julian - 1 + toOrdinal(year, 1, 1);
    if (ordinal < 1 || ordinal > MAX_ORDINAL)
      throw pythonError('ValueError', `year ${fromOrdinal(Math.max(1, Math.min(ordinal, MAX_ORDINAL))).year} is out of range`);
    ({ year, month, day } = fromOrdinal(ordinal));
  }
  if (leapYearFix) year = 1900;
  return makeDateTime({ year, month, day, hour, minute, second, microsecond: fraction }, zone, false);
}

/** %z's text as seconds east of UTC, in microseconds (`Z`, `+0100`, `-01:30`, `+01:00:30.5`). */
function zoneOffset(text: string): number {
  if (text === 'Z') return 0;
  let z = text;
  if (z[3] === ':') {
    z = z.slice(0, 3) + z.slice(4);
    if (z.length > 5) {
      if (z[5] !== ':') throw pythonError('ValueError', `Inconsistent use of : in ${text}`);
      z = z.slice(0, 5) + z.slice(6);
    }
  }
  const seconds = Number(z.slice(1, 3)) * 3600 + Number(z.slice(3, 5)) * 60 + Number(z.slice(5, 7) || '0');
  const fraction = Number(z.slice(8).padEnd(6, '0'));
  const offset = seconds * MICROS_PER_SECOND + fraction;
  if (offset >= MICROS_PER_DAY)
    throw pythonError(
      'ValueError',
      `offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not ${new PythonTimeDelta(BigInt(z.startsWith('-') ? -offset : offset)).repr()}.`,
    );
  return z.startsWith('-') ? -offset : offset;
}

/** _calc_julian_from_U_or_W: the day of the year of a week (%U from Sunday, %W from Monday) and weekday (Monday 0). */
function julianFromWeek(year: number, weekOfYear: number, weekday: number, weekStartsMonday: boolean): number {
  let firstWeekday = (toOrdinal(year, 1, 1) + 6) % 7;
  let day = weekday;
  if (!weekStartsMonday) {
    firstWeekday = (firstWeekday + 1) % 7;
    day = (day + 1) % 7;
  }
  const weekZeroLength = (7 - firstWeekday) % 7;
  if (weekOfYear === 0) return 1 + day - firstWeekday;
  return weekZeroLength + 7 * (weekOfYear - 1) + 1 + day;
}

/** _calc_julian_from_V: the year and day of the year of an ISO year, week and weekday (Monday 1). */
function julianFromIsoWeek(isoYear: number, isoWeek: number, isoWeekday: number): [number, number] {
  const correction = ((toOrdinal(isoYear, 1, 4) + 6) % 7) + 1 + 3;
  let ordinal = isoWeek * 7 + isoWeekday - correction;
  let year = isoYear;
  if (ordinal < 1) {
    ordinal += toOrdinal(year, 1, 1);
    year -= 1;
    ordinal -= toOrdinal(year, 1, 1);
  }
  return [year, ordinal];
}
