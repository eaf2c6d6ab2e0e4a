# Reads an iCalendar object on stdin with Debian's python3-icalendar and
# prints what it understood as JSON. start_vtz is the event's wall time
# placed with the calendar's own VTIMEZONE (Timezone.to_tz), not with the
# system's zone data, so a wrong VTIMEZONE shows.
import json
import sys

import icalendar

cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
zones = {str(tz['TZID']): tz.to_tz() for tz in cal.walk('VTIMEZONE')}
events = []
for ev in cal.walk('VEVENT'):
    start, end = ev.decoded('dtstart'), ev.decoded('dtend')
    tzid = ev['dtstart'].params.get('TZID', '')
    e = {
        'uid': str(ev['uid']),
        'summary': str(ev['summary']),
        'description': str(ev.get('description', '')),
        'tzid': tzid,
        'sequence': int(ev.get('sequence', 0)),
        'all_day': not hasattr(start, 'hour'),
        'start': start.isoformat(),
        'end': end.isoformat(),
        'last_modified': ev.decoded('last-modified').isoformat(),
        'dtstamp': ev.decoded('dtstamp').isoformat(),
        'start_vtz': '',
    }
    if tzid in zones:
        e['start_vtz'] = zones[tzid].localize(start.replace(tzinfo=None)).isoformat()
    events.append(e)
json.dump({'method': str(cal.get('method', '')), 'zones': sorted(zones), 'events': events}, sys.stdout)
