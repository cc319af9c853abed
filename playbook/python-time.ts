// Python's time.strftime as Ansible's strftime filter calls it (glibc's strftime in the C
// locale, which Python hands the format to): `'%Y-%m-%d %H:%M:%S' | strftime`,
// `'%s' | strftime(second=epoch, utc=true)`.
import { HoundError, EXIT } from '../base/errors.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A moment's broken-down time, as time.localtime or time.gmtime gives it (or a datetime's timetuple()). */
export interface BrokenDownTime {
  year: number;
  month: number; // 0-11
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 0-365
  /** Seconds east of UTC. */
  offset: number;
  zone: () => string;
  epoch: number;
}

function brokenDown(seconds: number, utc: boolean): BrokenDownTime {
  const date = new Date(seconds * 1000);
  const get = utc
    ? {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth(),
        day: date.getUTCDate(),
        hour: date.getUTCHours(),
        minute: date.getUTCMinutes(),
        second: date.getUTCSeconds(),
        weekday: date.getUTCDay(),
      }
    : {
        year: date.getFullYear(),
        month: date.getMonth(),
        day: date.getDate(),
        hour: date.getHours(),
        minute: date.getMinutes(),
        second: date.getSeconds(),
        weekday: date.getDay(),
      };
  const yearDay = Math.round((Date.UTC(get.year, get.month, get.day) - Date.UTC(get.year, 0, 1)) / 86_400_000);
  const offset = utc ? 0 : -date.getTimezoneOffset() * 60;
  return { ...get, yearDay, offset, zone: () => (utc ? 'GMT' : localZoneName(date)), epoch: Math.floor(seconds) };
}

/** glibc's %Z for local time: the zone's abbreviation, which Intl gives for most zones (`UTC`, `EST`). */
export function localZoneName(date: Date): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value;
  if (name === undefined || !/^[A-Z]{2,5}$/.test(name))
    throw new HoundError('TEMPLATE_UNSUPPORTED', `strftime: %Z of this machine's time zone (${name ?? 'unknown'}) is not known to hound`, EXIT.PARSE, {
      hint: 'write %z (the offset), or pass utc=true',
    });
  return name;
}

/** ISO 8601's week-numbering year and week of a date. */
function isoWeek(t: BrokenDownTime): { year: number; week: number } {
  const isoDay = (t.weekday + 6) % 7; // Monday 0
  const thursday = Date.UTC(t.year, t.month, t.day) + (3 - isoDay) * 86_400_000;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return { year, week };
}

/** A directive's digits padded as glibc pads them, or as its flag (`-` none, `_` spaces, `0` zeros) says. */
function padded(value: number, width: number, fill: '0' | ' ', flag: string | undefined): string {
  const text = String(Math.abs(value));
  const sign = value < 0 ? '-' : '';
  if (flag === '-') return sign + text;
  const pad = flag === '_' ? ' ' : flag === '0' ? '0' : fill;
  return sign + text.padStart(width, pad);
}

/** Directives glibc writes as others (its C locale's %c, %x and %X among them). */
const COMPOSITES: Readonly<Record<string, string>> = {
  c: '%a %b %e %H:%M:%S %Y',
  D: '%m/%d/%y',
  x: '%m/%d/%y',
  F: '%Y-%m-%d',
  r: '%I:%M:%S %p',
  R: '%H:%M',
  T: '%H:%M:%S',
  X: '%H:%M:%S',
};

/**
 * time.strftime(format, time.localtime(seconds)) (or gmtime when `utc`), with glibc's
 * directives in the C locale and its `-`, `_`, `0` and `^` flags; a directive glibc does not
 * know is written as it is, as glibc writes it.
 */
export function pythonStrftime(format: string, seconds: number, utc: boolean): string {
  return strftimeOf(format, brokenDown(seconds, utc));
}

/** glibc's strftime of a broken-down time, as pythonStrftime says (datetime.strftime hands it its timetuple()). */
export function strftimeOf(format: string, t: BrokenDownTime): string {
  const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  const expand = (flag: string | undefined, conversion: string): string | undefined => {
    switch (conversion) {
      case 'a':
        return DAYS[t.weekday].slice(0, 3);
      case 'A':
        return DAYS[t.weekday];
      case 'b':
      case 'h':
        return MONTHS[t.month].slice(0, 3);
      case 'B':
        return MONTHS[t.month];
      // A "yearish" directive in glibc: not padded unless a flag asks (year 533's century is 5).
      case 'C':
        return padded(Math.floor(t.year / 100), 2, '0', flag ?? '-');
      case 'd':
        return padded(t.day, 2, '0', flag);
      case 'e':
        return padded(t.day, 2, ' ', flag);
      case 'G':
        return String(isoWeek(t).year);
      case 'g':
        return padded(isoWeek(t).year % 100, 2, '0', flag);
      case 'H':
        return padded(t.hour, 2, '0', flag);
      case 'I':
        return padded(hour12, 2, '0', flag);
      case 'j':
        return padded(t.yearDay + 1, 3, '0', flag);
      case 'k':
        return padded(t.hour, 2, ' ', flag);
      case 'l':
        return padded(hour12, 2, ' ', flag);
      case 'm':
        return padded(t.month + 1, 2, '0', flag);
      case 'M':
        return padded(t.minute, 2, '0', flag);
      case 'n':
        return '\n';
      case 'p':
        return t.hour < 12 ? 'AM' : 'PM';
      case 'P':
        return t.hour < 12 ? 'am' : 'pm';
      case 's':
        return String(t.epoch);
      case 'S':
        return padded(t.second, 2, '0', flag);
      case 't':
        return '\t';
      case 'u':
        return String(t.weekday === 0 ? 7 : t.weekday);
      case 'U':
        return padded(Math.floor((t.yearDay + 7 - t.weekday) / 7), 2, '0', flag);
      case 'V':
        return padded(isoWeek(t).week, 2, '0', flag);
      case 'w':
        return String(t.weekday);
      case 'W':
        return padded(Math.floor((t.yearDay + 7 - ((t.weekday + 6) % 7)) / 7), 2, '0', flag);
      case 'y':
        return padded(t.year % 100, 2, '0', flag);
      case 'Y':
        return String(t.year);
      case 'z': {
        const minutes = Math.abs(t.offset) / 60;
        return `${t.offset < 0 ? '-' : '+'}${padded(Math.floor(minutes / 60), 2, '0', undefined)}${padded(minutes % 60, 2, '0', undefined)}`;
      }
      case 'Z':
        return t.zone();
      case '%':
        return '%';
      default:
        return undefined;
    }
  };
  return format.replace(/%([-_0^#]?)([a-zA-Z%])/g, (whole, flag: string, conversion: string) => {
    const text = Object.hasOwn(COMPOSITES, conversion) ? strftimeOf(COMPOSITES[conversion], t) : expand(flag === '' ? undefined : flag, conversion);
    if (text === undefined) return whole;
    return flag === '^' ? text.toUpperCase() : text;
  });
}
