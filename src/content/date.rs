//! Incident dates, which keep the precision they were written with.
//!
//! Incidents are often known only to the month ("July 2023") or the year. Forcing a day would
//! invent facts, so a date is a year, a month, a day or an instant, and is displayed that way.

use std::cmp::Ordering;
use std::fmt::Write as _;

use jiff::civil;
use jiff::tz::Offset;
use serde::Serialize;

/// How precisely a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// `2023`
    Year,
    /// `2023-07`
    Month,
    /// `2023-07-24`
    Day,
    /// `2023-07-24T09:30:00+02:00`
    Datetime,
}

/// A date as written in front matter: a year, a month, a day, or an instant with its offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentDate {
    precision: Precision,
    /// The calendar day; the first of the month or year when less precise.
    date: civil::Date,
    /// The time of day and the UTC offset it was written in, for `Datetime`.
    time: Option<(civil::Time, Offset)>,
    /// [`IncidentDate::sort_key`], computed once: sorting compares dates many times, and the
    /// calendar arithmetic behind it costs more than the rest of a comparison.
    key: i64,
}

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z as seconds since the Unix epoch: the first and
/// last moments a date may fall on (see [`IncidentDate::in_range`]).
const FIRST_MOMENT: i64 = -62_135_596_800;
const LAST_MOMENT: i64 = 253_402_300_799;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl IncidentDate {
    /// Parses `2023`, `2023-07`, `2023-07-24` or an RFC 3339 date-time with an offset.
    ///
    /// The error is a sentence saying what is wrong, for the caller to locate.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bad_shape = || {
            let mut message = format!(
                "`{text}` is not a date: write `2023-07-24`, `2023-07`, `2023`, \
                 or a date-time like `2023-07-24T09:30:00Z`"
            );
            if let Some(iso) = day_first_to_iso(text) {
                message.push_str(&format!(" (did you mean `{iso}`?)"));
            }
            message
        };
        if text.contains(['T', 't', ' ']) && text.len() > 10 {
            return Self::parse_datetime(text)
                .map_err(|e| format!("`{text}` is not a valid date-time: {e}"))?
                .in_range(text);
        }
        let parts: Vec<&str> = text.split('-').collect();
        let number = |s: &str, len: usize| -> Option<i16> {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
        };
        let year = parts.first().and_then(|y| number(y, 4)).ok_or_else(bad_shape)?;
        let month = match parts.get(1) {
            Some(m) => Some(number(m, 2).ok_or_else(bad_shape)?),
            None => None,
        };
        let day = match parts.get(2) {
            Some(d) => Some(number(d, 2).ok_or_else(bad_shape)?),
            None => None,
        };
        if parts.len() > 3 {
            return Err(bad_shape());
        }
        if let Some(m) = month
            && !(1..=12).contains(&m)
        {
            return Err(format!("`{text}` is not a valid date: there is no month {m}"));
        }
        let precision = match (month, day) {
            (None, _) => Precision::Year,
            (Some(_), None) => Precision::Month,
            (Some(_), Some(_)) => Precision::Day,
        };
        let (m, d) = (month.unwrap_or(1) as i8, day.unwrap_or(1) as i8);
        let date = civil::Date::new(year, m, d).map_err(|_| {
            let days = civil::Date::new(year, m, 1).map_or(31, |first| first.days_in_month());
            format!("`{text}` is not a valid date: {} {year} has {days} days", MONTHS[(m - 1) as usize])
        })?;
        IncidentDate::new(precision, date, None).in_range(text)
    }

    /// The date, if its moment in UTC lies in the years 1 to 9999: every output writes dates
    /// as RFC 3339 with a four-digit year, in UTC for STIX and feeds, and STIX readers take
    /// year 0 for no date at all (Python's `datetime` starts at year 1). An instant written in
    /// year 9999 with a negative offset is in year 10000 in UTC, and one on the first day of
    /// year 1 with a positive offset is in year 0: refused too, rather than written malformed
    /// (`-000001-12-31`) or as some other date.
    fn in_range(self, text: &str) -> Result<Self, String> {
        if (FIRST_MOMENT..=LAST_MOMENT).contains(&self.key) {
            return Ok(self);
        }
        // Said when the offset moved it out: the year written is then in range.
        let (year, _, _) = civil_from_days(self.key.div_euclid(86_400));
        let utc = if year == i64::from(self.date.year()) {
            String::new()
        } else {
            format!(" (in UTC it is in year {year})")
        };
        Err(format!(
            "`{text}` is out of range{utc}: dates go from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, \
             as STIX and feeds write them in UTC with four-digit years"
        ))
    }

    fn parse_datetime(text: &str) -> Result<Self, String> {
        let offset = Self::offset_of(text)?;
        let local = match text.parse::<jiff::Timestamp>() {
            Ok(timestamp) => offset.to_datetime(timestamp),
            // An instant beyond jiff's range of timestamps (it ends on 9999-12-30) is still a
            // date and time of day: read it as written, before its offset.
            Err(e) => {
                text[..Self::offset_start(text)].parse::<civil::DateTime>().map_err(|_| e.to_string())?
            }
        };
        Ok(IncidentDate::new(Precision::Datetime, local.date(), Some((local.time(), offset))))
    }

    /// Where the offset [`IncidentDate::offset_of`] found begins.
    fn offset_start(text: &str) -> usize {
        if text.ends_with(['Z', 'z']) { text.len() - 1 } else { text.rfind(['+', '-']).unwrap_or(text.len()) }
    }

    /// The offset written at the end of an RFC 3339 date-time (`Z`, `+02:00`, `-0500`), or
    /// why there is none. Hours and minutes are checked here, before anything reads them: the
    /// date library takes offsets up to ±25:59 and read `+00:99` as `+01:39`, while RFC 3339
    /// allows minutes up to 59 and real offsets stay within ±14:00; ±18:00 is the usual bound
    /// (ISO 8601 readers such as Java's), which every real offset meets.
    fn offset_of(text: &str) -> Result<Offset, String> {
        const NO_OFFSET: &str = "it needs a UTC offset such as `Z` or `+02:00`";
        if text.ends_with(['Z', 'z']) {
            return Ok(Offset::UTC);
        }
        let sign_at = text.rfind(['+', '-']).ok_or(NO_OFFSET)?;
        let written = &text[sign_at..];
        let digits = &written[1..];
        let (hours, minutes) = match digits.len() {
            5 if digits.as_bytes()[2] == b':' => (&digits[..2], &digits[3..]),
            4 => (&digits[..2], &digits[2..]),
            _ => return Err(NO_OFFSET.into()),
        };
        let number = |s: &str| s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse::<i32>().ok()).flatten();
        let (Some(hours), Some(minutes)) = (number(hours), number(minutes)) else {
            return Err(NO_OFFSET.into());
        };
        if minutes >= 60 {
            return Err(format!("its UTC offset `{written}` has {minutes} minutes: write 00 to 59"));
        }
        if hours * 60 + minutes > 18 * 60 {
            return Err(format!(
                "its UTC offset `{written}` is out of range: offsets go from -18:00 to +18:00"
            ));
        }
        let seconds = (hours * 3600 + minutes * 60) * if written.starts_with('-') { -1 } else { 1 };
        Offset::from_seconds(seconds).map_err(|e| e.to_string())
    }

    /// How precisely the date is known.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Whether the date is an instant at midnight exactly (`2023-07-24T00:00:00Z`): how tools
    /// such as Hugo write a plain day. Shown as that day ([`IncidentDate::shown_precision`]):
    /// "24 July 2023, 00:00 (UTC)" would invent a time nobody wrote. (Durations still measure
    /// it as the instant it is: between two instants, minutes are what was written.)
    fn is_midnight(&self) -> bool {
        matches!(self.time, Some((t, _)) if t == civil::Time::midnight())
    }

    /// The precision the date is shown at: its precision, except that an instant at midnight
    /// exactly is a day (see [`IncidentDate::is_midnight`]).
    pub fn shown_precision(&self) -> Precision {
        if self.precision == Precision::Datetime && self.is_midnight() {
            Precision::Day
        } else {
            self.precision
        }
    }

    /// The year.
    pub fn year(&self) -> i16 {
        self.date.year()
    }

    /// The month (1-12), when known.
    pub fn month(&self) -> Option<i8> {
        (self.precision >= Precision::Month).then(|| self.date.month())
    }

    /// The day of the month, when known.
    pub fn day(&self) -> Option<i8> {
        (self.precision >= Precision::Day).then(|| self.date.day())
    }

    /// The calendar day a date falls on, for grouping: `(year, month, day)` with 0 for what a
    /// less precise date does not know. An instant's day is its day in UTC, so that days and
    /// instants order alike whatever offsets they were written with.
    pub fn day_key(&self) -> (i64, i64, i64) {
        match self.precision {
            Precision::Datetime => civil_from_days(self.key.div_euclid(86_400)),
            _ => (
                i64::from(self.date.year()),
                self.month().map_or(0, i64::from),
                self.day().map_or(0, i64::from),
            ),
        }
    }

    /// The start of the period as seconds since the Unix epoch (UTC for plain dates): the key
    /// incidents are sorted by.
    pub fn sort_key(&self) -> i64 {
        self.key
    }

    fn new(precision: Precision, date: civil::Date, time: Option<(civil::Time, Offset)>) -> IncidentDate {
        let (t, offset) = time.unwrap_or((civil::Time::midnight(), Offset::UTC));
        // Counted by hand rather than through `jiff::Timestamp`, whose range ends a few hours
        // before the last day of year 9999: an embargo "until 9999-12-31" must sort last, not
        // fall back to some early moment that has long passed.
        let days = days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day()));
        let seconds = i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second());
        let key = days * 86_400 + seconds - i64::from(offset.seconds());
        IncidentDate { precision, date, time, key }
    }

    /// The ISO 8601 form, at the precision written: `2023`, `2023-07`, `2023-07-24`, or
    /// `2023-07-24T09:30:00+02:00`.
    pub fn iso(&self) -> String {
        let d = self.date;
        match self.precision {
            Precision::Year => format!("{:04}", d.year()),
            Precision::Month => format!("{:04}-{:02}", d.year(), d.month()),
            Precision::Day => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            Precision::Datetime => {
                let mut s = format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
                if let Some((t, offset)) = self.time {
                    let _ = write!(s, "T{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second());
                    s.push_str(&offset_text(offset, "Z"));
                }
                s
            }
        }
    }

    /// The form for people, in English: `2023`, `July 2023`, `24 July 2023`, or
    /// `24 July 2023, 09:30 (UTC)`.
    pub fn display(&self) -> String {
        self.display_in(&DateFormat::default())
    }

    /// The form for people in the words and order of `format`.
    pub fn display_in(&self, format: &DateFormat) -> String {
        let d = self.date;
        let month = format.months.get((d.month() - 1) as usize).map_or("", String::as_str);
        let year = d.year().to_string();
        let day = d.day().to_string();
        let fill =
            |pattern: &str| pattern.replace("{day}", &day).replace("{month}", month).replace("{year}", &year);
        match self.precision {
            Precision::Year => year.clone(),
            Precision::Month => fill(&format.month_year),
            Precision::Day => fill(&format.day_month_year),
            Precision::Datetime => {
                let mut s = fill(&format.day_month_year);
                if let Some((t, offset)) = self.time.filter(|_| !self.is_midnight()) {
                    let zone = offset_text(offset, &format.utc);
                    let _ = write!(s, ", {:02}:{:02} ({zone})", t.hour(), t.minute());
                }
                s
            }
        }
    }
}

/// How dates read in a language: month names and the order of day, month and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateFormat {
    /// January to December, as written inside a date.
    pub months: Vec<String>,
    /// A month of a year: `{month} {year}`.
    pub month_year: String,
    /// A day: `{day} {month} {year}`.
    pub day_month_year: String,
    /// What a time in UTC is followed by: `UTC`.
    pub utc: String,
}

impl Default for DateFormat {
    /// English, as casebook wrote dates before it spoke other languages: `24 July 2023`.
    fn default() -> Self {
        DateFormat {
            months: MONTHS.iter().map(|m| (*m).to_string()).collect(),
            month_year: "{month} {year}".to_string(),
            day_month_year: "{day} {month} {year}".to_string(),
            utc: "UTC".to_string(),
        }
    }
}

/// The English name of a month (1-12).
pub fn month_name(month: i8) -> &'static str {
    MONTHS.get(usize::try_from(month - 1).unwrap_or(usize::MAX)).copied().unwrap_or("")
}

/// `24/07/2023` or `24.07.2023` as `2023-07-24`, when the day cannot be a month (over 12), so
/// the suggestion is never a guess.
fn day_first_to_iso(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(['/', '.']).collect();
    let [d, m, y] = parts.as_slice() else { return None };
    let (d, m, y): (u8, u8, u16) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    (d > 12 && (1..=12).contains(&m) && y >= 1000).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn offset_text(offset: Offset, utc: &str) -> String {
    let seconds = offset.seconds();
    if seconds == 0 {
        return utc.to_string();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.abs();
    format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
}

impl PartialOrd for IncidentDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IncidentDate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key()).then(self.precision.cmp(&other.precision))
    }
}

/// A unit of [`Elapsed`] time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unit {
    /// Sixty seconds.
    Minute,
    /// Sixty minutes.
    Hour,
    /// A calendar day.
    Day,
    /// A calendar month.
    Month,
    /// A calendar year.
    Year,
}

/// The time from one date to another, at the precision both have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Elapsed {
    /// Less than one of the unit: two dates of the same day (`under a day`), two instants a few
    /// seconds apart (`under a minute`).
    Under(Unit),
    /// A count of each unit, largest first: `[(Hour, 2), (Minute, 47)]`, `[(Day, 3)]`.
    Parts(Vec<(Unit, i64)>),
}

/// The time from `start` to `end`, at the precision both have: minutes between two instants
/// ("2 hours 47 minutes", or "3 days 4 hours" once over a day, where minutes no longer
/// matter), days between two days ("3 days"), months between two months, years between two
/// years. An instant and a day are compared as days, a day and a month as months: never more
/// precisely than the less precise of the two was written. `None` when `end` comes before
/// `start` (a typo, not a duration).
pub fn elapsed(start: &IncidentDate, end: &IncidentDate) -> Option<Elapsed> {
    let precision = start.precision().min(end.precision());
    let under = |count: i64, unit: Unit| (count == 0).then_some(Elapsed::Under(unit));
    let months = |d: &IncidentDate| i64::from(d.date.year()) * 12 + i64::from(d.date.month()) - 1;
    let days = |d: &IncidentDate| {
        days_from_civil(i64::from(d.date.year()), i64::from(d.date.month()), i64::from(d.date.day()))
    };
    let parts = match precision {
        Precision::Datetime => return minutes_between(start, end).map(in_minutes),
        Precision::Day => {
            let count = days(end) - days(start);
            if count < 0 {
                return None;
            }
            if let Some(none) = under(count, Unit::Day) {
                return Some(none);
            }
            vec![(Unit::Day, count)]
        }
        Precision::Month => {
            let count = months(end) - months(start);
            if count < 0 {
                return None;
            }
            if let Some(none) = under(count, Unit::Month) {
                return Some(none);
            }
            vec![(Unit::Year, count / 12), (Unit::Month, count % 12)]
        }
        Precision::Year => {
            let count = i64::from(end.date.year()) - i64::from(start.date.year());
            if count < 0 {
                return None;
            }
            if let Some(none) = under(count, Unit::Year) {
                return Some(none);
            }
            vec![(Unit::Year, count)]
        }
    };
    Some(Elapsed::Parts(parts.into_iter().filter(|(_, n)| *n > 0).collect()))
}

/// The whole minutes from `start` to `end`, two instants; `None` when `end` comes first or
/// either is not an instant.
pub fn minutes_between(start: &IncidentDate, end: &IncidentDate) -> Option<i64> {
    let instants = start.precision() == Precision::Datetime && end.precision() == Precision::Datetime;
    let minutes = (end.key - start.key).div_euclid(60);
    (instants && minutes >= 0).then_some(minutes)
}

/// A number of minutes as days and hours, or hours and minutes under a day: past a day,
/// minutes no longer matter.
pub fn in_minutes(minutes: i64) -> Elapsed {
    if minutes <= 0 {
        return Elapsed::Under(Unit::Minute);
    }
    let (days, hours, minutes) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let parts = if days > 0 {
        vec![(Unit::Day, days), (Unit::Hour, hours)]
    } else {
        vec![(Unit::Hour, hours), (Unit::Minute, minutes)]
    };
    Elapsed::Parts(parts.into_iter().filter(|(_, n)| *n > 0).collect())
}

/// The words a duration is written with in a language (its theme's `duration_*` texts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationWords {
    /// For each unit, minute to year, its text for one and for other counts, with a `{count}`
    /// placeholder: `("{count} hour", "{count} hours")`.
    pub units: [(String, String); 5],
    /// Less than a minute, a day, a month, a year: `under a day` (instants are measured in
    /// minutes, so there is no "under an hour").
    pub under: [String; 4],
    /// What groups digits: `,` in English.
    pub separator: String,
}

impl Default for DurationWords {
    /// English.
    fn default() -> Self {
        let unit = |one: &str, other: &str| (format!("{{count}} {one}"), format!("{{count}} {other}"));
        DurationWords {
            units: [
                unit("minute", "minutes"),
                unit("hour", "hours"),
                unit("day", "days"),
                unit("month", "months"),
                unit("year", "years"),
            ],
            under: ["under a minute", "under a day", "under a month", "under a year"].map(str::to_string),
            separator: ",".to_string(),
        }
    }
}

/// The time from `start` to `end` in words ([`elapsed`]): `2 hours 47 minutes`,
/// `3 days`, `under a day`.
pub fn duration_text(start: &IncidentDate, end: &IncidentDate, words: &DurationWords) -> Option<String> {
    elapsed(start, end).map(|e| elapsed_text(&e, words))
}

/// A span of time in words: `2 hours 47 minutes`, `under a day`.
pub fn elapsed_text(elapsed: &Elapsed, words: &DurationWords) -> String {
    let index = |unit: Unit| unit as usize;
    match elapsed {
        &Elapsed::Under(unit) => {
            let at = match unit {
                Unit::Minute | Unit::Hour => 0,
                Unit::Day => 1,
                Unit::Month => 2,
                Unit::Year => 3,
            };
            words.under[at].clone()
        }
        Elapsed::Parts(parts) => {
            let texts: Vec<String> = parts
                .iter()
                .map(|&(unit, count)| {
                    let (one, other) = &words.units[index(unit)];
                    let form = if count == 1 { one } else { other };
                    form.replace(
                        "{count}",
                        &crate::base::number::group_digits(i128::from(count), &words.separator),
                    )
                })
                .collect();
            texts.join(" ")
        }
    }
}

/// What templates see of a date.
#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    /// `July 2023`
    pub display: String,
    /// `2023-07`
    pub iso: String,
    /// `month`
    pub precision: Precision,
    /// The year.
    pub year: i16,
    /// The month, when known.
    pub month: Option<i8>,
    /// The day, when known.
    pub day: Option<i8>,
}

impl DateView {
    /// The view of `d` with its display in the words of `format`.
    pub fn localized(d: &IncidentDate, format: &DateFormat) -> DateView {
        DateView { display: d.display_in(format), ..DateView::from(d) }
    }
}

impl From<&IncidentDate> for DateView {
    fn from(d: &IncidentDate) -> Self {
        DateView {
            display: d.display(),
            iso: d.iso(),
            precision: d.precision(),
            year: d.year(),
            month: d.month(),
            day: d.day(),
        }
    }
}

/// A Unix time as `YYYY-MM-DDTHH:MM:SS` in UTC, followed by `suffix` (`Z`, `.000Z`): what
/// feeds and STIX objects write for every date. Each data file and feed writes several, so
/// this formats the digits itself instead of going through a format string (a twentieth of
/// the cost). Times before year 0 or after 9999 take the general path.
pub fn utc_stamp(seconds: i64, suffix: &str) -> String {
    let days = seconds.div_euclid(86_400);
    let time = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        let t = jiff::Timestamp::from_second(seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        return format!("{}{suffix}", t.strftime("%Y-%m-%dT%H:%M:%S"));
    }
    let mut out = String::with_capacity(19 + suffix.len());
    for power in [1000, 100, 10, 1] {
        // Each is a digit: the year is in 0..=9999.
        out.push(char::from(b'0' + (year / power % 10) as u8));
    }
    for (value, sep) in
        [(month, '-'), (day, '-'), (time / 3600, 'T'), (time / 60 % 60, ':'), (time % 60, ':')]
    {
        out.push(sep);
        out.push(char::from(b'0' + (value / 10) as u8));
        out.push(char::from(b'0' + (value % 10) as u8));
    }
    out.push_str(suffix);
    out
}

/// The day a proleptic Gregorian date is, counted from 1970-01-01 (Howard Hinnant's
/// `days_from_civil`, the inverse of [`civil_from_days`]).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> IncidentDate {
        IncidentDate::parse(s).expect("valid date")
    }

    #[test]
    fn keeps_precision_and_displays_it() {
        let cases = [
            ("2023", "2023", "2023"),
            ("2023-07", "July 2023", "2023-07"),
            ("2023-07-24", "24 July 2023", "2023-07-24"),
            ("2023-07-24T09:30:00Z", "24 July 2023, 09:30 (UTC)", "2023-07-24T09:30:00Z"),
            ("2023-07-24T09:30:00+02:00", "24 July 2023, 09:30 (+02:00)", "2023-07-24T09:30:00+02:00"),
        ];
        for (input, display, iso) in cases {
            let d = parse(input);
            assert_eq!((d.display().as_str(), d.iso().as_str()), (display, iso), "{input}");
        }
    }

    #[test]
    fn rejects_impossible_dates_with_a_reason() {
        assert_eq!(
            IncidentDate::parse("2023-02-30").expect_err("impossible"),
            "`2023-02-30` is not a valid date: February 2023 has 28 days"
        );
        assert_eq!(
            IncidentDate::parse("2023-13").expect_err("impossible"),
            "`2023-13` is not a valid date: there is no month 13"
        );
        assert!(
            IncidentDate::parse("24/07/2023").expect_err("shape").ends_with("(did you mean `2023-07-24`?)")
        );
        assert!(!IncidentDate::parse("07/06/2023").expect_err("shape").contains("did you mean"));
        assert!(IncidentDate::parse("2023-7-1").is_err());
        assert!(IncidentDate::parse("2023-07-24T09:30:00").expect_err("no offset").contains("offset"));
    }

    #[test]
    fn orders_by_start_of_period() {
        let mut dates =
            [parse("2023-07-24"), parse("2023"), parse("2023-07"), parse("2022-12-31T23:00:00-02:00")];
        dates.sort();
        let isos: Vec<_> = dates.iter().map(IncidentDate::iso).collect();
        assert_eq!(isos, ["2023", "2022-12-31T23:00:00-02:00", "2023-07", "2023-07-24"]);
    }

    #[test]
    fn the_last_days_of_year_9999_sort_last() {
        // jiff's timestamps end before these: they once all sorted as 1970-01-01, which let an
        // embargo "until 9999-12-31" end at once.
        let far = ["9999", "9999-12", "9999-12-31", "9999-12-31T23:59:59Z", "9999-12-31T12:00:00-09:00"];
        let late = parse("9999-12-30T21:00:00Z").sort_key();
        for text in far {
            let date = parse(text);
            assert_eq!(date.iso(), text);
            assert!(date.sort_key() > parse("2026-11-29").sort_key(), "{text}");
        }
        assert!(parse("9999-12-31").sort_key() > late);
        assert_eq!(parse("9999-12-31T23:59:59Z").sort_key(), 253_402_300_799);
    }

    /// Issue 28: `+25:00` was kept and `+00:99` read as `+01:39`.
    #[test]
    fn offsets_beyond_18_hours_or_with_60_minutes_or_more_are_refused() {
        assert_eq!(
            IncidentDate::parse("2023-07-24T09:30:00+25:00").expect_err("beyond"),
            "`2023-07-24T09:30:00+25:00` is not a valid date-time: its UTC offset `+25:00` is out of range: \
             offsets go from -18:00 to +18:00"
        );
        assert_eq!(
            IncidentDate::parse("2023-07-24T09:30:00+00:99").expect_err("minutes"),
            "`2023-07-24T09:30:00+00:99` is not a valid date-time: its UTC offset `+00:99` has 99 minutes: \
             write 00 to 59"
        );
        for bad in ["+18:01", "-18:30", "-1900", "+00:60", "-05:75", "+99:99"] {
            let e = IncidentDate::parse(&format!("2023-07-24T09:30:00{bad}")).expect_err(bad);
            assert!(e.contains(&format!("offset `{bad}`")), "{e}");
        }
        for good in ["+18:00", "-18:00", "+14:00", "-0930", "+05:45", "-00:00"] {
            let date = parse(&format!("2023-07-24T09:30:00{good}"));
            assert_eq!(date.precision(), Precision::Datetime, "{good}");
        }
        assert_eq!(parse("2023-07-24T09:30:00+0545").iso(), "2023-07-24T09:30:00+05:45");
        assert!(
            IncidentDate::parse("2023-07-24T09:30:00+2:00")
                .expect_err("short")
                .contains("needs a UTC offset")
        );
    }

    /// Issue 28: STIX timestamps of year 0 came out malformed (`-000001-12-31…`), and of the
    /// last hours of year 9999 as 1970. Dates are kept within years 1 to 9999 in UTC, and at
    /// both ends the stamps are RFC 3339 with four-digit years.
    #[test]
    fn dates_outside_years_1_to_9999_in_utc_are_refused() {
        for (text, utc) in [
            ("0000", ""),
            ("0000-12", ""),
            ("0000-12-31", ""),
            ("0000-12-31T23:59:59Z", ""),
            ("0001-01-01T00:00:00+00:01", " (in UTC it is in year 0)"),
            ("0001-01-01T01:00:00+14:00", " (in UTC it is in year 0)"),
            ("9999-12-31T23:59:59-00:01", " (in UTC it is in year 10000)"),
            ("9999-12-31T20:00:00-09:00", " (in UTC it is in year 10000)"),
        ] {
            let e = IncidentDate::parse(text).expect_err(text);
            assert_eq!(
                e,
                format!(
                    "`{text}` is out of range{utc}: dates go from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, \
                     as STIX and feeds write them in UTC with four-digit years"
                )
            );
        }
        for (text, stamp) in [
            ("0001", "0001-01-01T00:00:00.000Z"),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"),
            ("0001-01-01T00:00:00-09:00", "0001-01-01T09:00:00.000Z"),
            ("9999-12-31", "9999-12-31T00:00:00.000Z"),
            ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000Z"),
            ("9999-12-31T23:59:59+09:00", "9999-12-31T14:59:59.000Z"),
        ] {
            let date = parse(text);
            assert_eq!(utc_stamp(date.sort_key(), ".000Z"), stamp, "{text}");
            assert_eq!(date.iso(), text);
        }
    }

    #[test]
    fn a_date_time_with_an_offset_is_never_said_to_lack_one() {
        let e = IncidentDate::parse("2023-07-24T25:00:00Z").expect_err("no hour 25");
        assert!(!e.contains("needs a UTC offset"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn sort_keys_are_jiffs_timestamps_where_it_has_them(
            (y, m, d) in (-9999..=9999_i16, 1..=12_i8, 1..=28_i8),
            (h, min, sec) in (0..24_i8, 0..60_i8, 0..60_i8),
            offset in -(14 * 3600)..=(14 * 3600_i32),
        ) {
            let date = civil::Date::new(y, m, d).expect("valid");
            let time = civil::Time::new(h, min, sec, 0).expect("valid");
            let offset = Offset::from_seconds(offset).expect("valid");
            let key = IncidentDate::new(Precision::Datetime, date, Some((time, offset))).sort_key();
            if let Ok(t) = offset.to_timestamp(date.to_datetime(time)) {
                proptest::prop_assert_eq!(key, t.as_second());
            }
        }
    }

    #[test]
    fn durations_are_measured_at_the_precision_both_dates_have() {
        let words = DurationWords::default();
        let text = |a: &str, b: &str| duration_text(&parse(a), &parse(b), &words);
        let cases = [
            ("2024-03-12T14:02:00Z", "2024-03-12T16:53:00Z", "2 hours 51 minutes"),
            ("2024-03-12T14:02:00Z", "2024-03-12T15:02:59Z", "1 hour"),
            ("2024-03-12T14:02:00Z", "2024-03-12T14:49:00Z", "47 minutes"),
            ("2024-03-12T14:02:00Z", "2024-03-12T14:03:00Z", "1 minute"),
            ("2024-03-12T14:02:00Z", "2024-03-12T14:02:30Z", "under a minute"),
            // Offsets are taken into account: the same moment written two ways.
            ("2024-03-12T14:00:00+02:00", "2024-03-12T12:30:00Z", "30 minutes"),
            ("2024-03-12T14:00:00Z", "2024-03-15T18:10:00Z", "3 days 4 hours"),
            ("2024-03-12T14:00:00Z", "2024-03-13T14:20:00Z", "1 day"),
            // A day and an instant: days, never the hours the day does not know.
            ("2024-03-12", "2024-03-14T09:00:00Z", "2 days"),
            ("2024-03-12T23:00:00Z", "2024-03-12", "under a day"),
            ("2024-02-27", "2024-03-01", "3 days"),
            // Two instants are measured in minutes, midnight or not.
            ("2024-03-12T00:00:00Z", "2024-03-14T00:00:00Z", "2 days"),
            ("2024-08-05T00:00:00Z", "2024-08-05T01:20:00Z", "1 hour 20 minutes"),
            ("2023-07", "2023-08", "1 month"),
            ("2023-07-24", "2023-08", "1 month"),
            ("2022-11", "2024-01", "1 year 2 months"),
            ("2023-07", "2023-07-30", "under a month"),
            ("2021", "2023-05-01", "2 years"),
            ("2023", "2023-12", "under a year"),
        ];
        for (start, end, expected) in cases {
            assert_eq!(text(start, end).as_deref(), Some(expected), "{start} to {end}");
        }
        assert_eq!(text("2024-03-12", "2024-03-11"), None, "an end before the start is no duration");
        assert_eq!(text("2024-03-12T10:00:00Z", "2024-03-12T09:59:00Z"), None);
        assert_eq!(
            elapsed(&parse("2024-03-12T14:00:00Z"), &parse("2024-03-12T16:00:00Z")),
            Some(Elapsed::Parts(vec![(Unit::Hour, 2)]))
        );
        let french = DurationWords {
            units: [
                ("{count} minute".into(), "{count} minutes".into()),
                ("{count} heure".into(), "{count} heures".into()),
                ("{count} jour".into(), "{count} jours".into()),
                ("{count} mois".into(), "{count} mois".into()),
                ("{count} an".into(), "{count} ans".into()),
            ],
            under: ["moins d’une minute", "moins d’un jour", "moins d’un mois", "moins d’un an"]
                .map(str::to_string),
            separator: "\u{202f}".into(),
        };
        let fr = |a: &str, b: &str| duration_text(&parse(a), &parse(b), &french);
        assert_eq!(fr("2024-03-12T14:02:00Z", "2024-03-12T16:03:00Z").as_deref(), Some("2 heures 1 minute"));
        assert_eq!(fr("2020-01-01", "2024-01-02").as_deref(), Some("1\u{202f}462 jours"));
        assert_eq!(fr("2024-01-01", "2024-01-01").as_deref(), Some("moins d’un jour"));
    }

    #[test]
    fn midnight_is_shown_as_the_day_it_begins() {
        let date = parse("1985-06-03T00:00:00Z");
        assert_eq!(date.display(), "3 June 1985");
        assert_eq!(date.iso(), "1985-06-03T00:00:00Z", "what was written is kept for machines");
        assert_eq!(date.shown_precision(), Precision::Day);
        assert_eq!(parse("1985-06-03T00:01:00Z").display(), "3 June 1985, 00:01 (UTC)");
    }

    #[test]
    fn accepts_leap_days() {
        assert_eq!(parse("2024-02-29").display(), "29 February 2024");
        assert!(IncidentDate::parse("2023-02-29").is_err());
    }

    proptest::proptest! {
        #[test]
        fn utc_stamps_are_what_jiff_prints(
            seconds in -377_705_023_201_i64..=253_402_207_200
        ) {
            let t = jiff::Timestamp::from_second(seconds).expect("in jiff's range");
            proptest::prop_assert_eq!(utc_stamp(seconds, "Z"), t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
    }

    proptest::proptest! {
        #[test]
        fn iso_gives_back_what_was_written(
            // From year 2: the first hours of year 1 with a positive offset are in year 0 in
            // UTC, which is refused (`dates_outside_years_1_to_9999_in_utc_are_refused`).
            (y, m, d) in (2..=9999_i32, 1..=12_i32, 1..=28_i32),
            (h, min, sec) in (0..24_i32, 0..60_i32, 0..60_i32),
            offset in proptest::sample::select(vec!["Z", "+02:00", "-09:30", "+14:00"]),
        ) {
            let written = [
                format!("{y:04}"),
                format!("{y:04}-{m:02}"),
                format!("{y:04}-{m:02}-{d:02}"),
                format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{sec:02}{offset}"),
            ];
            for text in written {
                proptest::prop_assert_eq!(parse(&text).iso(), text);
            }
        }
    }

    #[test]
    fn utc_stamps_at_the_edges() {
        // Around the epoch, a leap day, year 0, and the ends of jiff's range of whole seconds.
        let edges = [0, -1, 86_399, 86_400, 951_782_400, -62_167_219_200, -62_167_219_201];
        for seconds in edges.into_iter().chain([-377_705_023_201, 253_402_207_200]) {
            let t = jiff::Timestamp::from_second(seconds).expect("in jiff's range");
            assert_eq!(utc_stamp(seconds, ".000Z"), t.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string());
        }
    }
}
