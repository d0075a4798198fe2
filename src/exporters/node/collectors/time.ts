import { readdir } from 'node:fs/promises';
import { family, single } from '../../exposition.js';
import { sysPath, type NodeCollector } from '../collector.js';

/** time.go and time_linux.go: wall clock, zone offset and clocksources. */
export const timeCollector: NodeCollector = {
  name: 'time',
  async update(c) {
    const now = Date.now();
    const offset = -new Date(now).getTimezoneOffset() * 60;
    const zone = family(
      'node_time_zone_offset_seconds',
      'System time zone offset in seconds.',
      'gauge',
    );
    zone.add(offset, { time_zone: zoneAbbreviation(now) });
    const available = family(
      'node_time_clocksource_available_info',
      "Available clocksources read from '/sys/devices/system/clocksource'.",
      'gauge',
    );
    const current = family(
      'node_time_clocksource_current_info',
      "Current clocksource read from '/sys/devices/system/clocksource'.",
      'gauge',
    );
    const base = sysPath(c, 'devices/system/clocksource');
    for (const dir of (await readdir(base)).filter((d) => /^clocksource\d+$/.test(d)).sort()) {
      const device = dir.slice('clocksource'.length);
      const read = (f: string) => c.read(`${base}/${dir}/${f}`).trim();
      for (const cs of read('available_clocksource').split(/\s+/).filter(Boolean)) {
        available.add(1, { clocksource: cs, device });
      }
      current.add(1, { clocksource: read('current_clocksource'), device });
    }
    return [
      single(
        'node_time_seconds',
        'System time in seconds since epoch (1970).',
        'gauge',
        now / 1000,
      ),
      zone,
      available,
      current,
    ];
  },
};

/** Go's Time.Zone() name: the abbreviation ("UTC", "CET"), or the offset when the zone has none. */
function zoneAbbreviation(now: number): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
    .formatToParts(new Date(now))
    .find((p) => p.type === 'timeZoneName')?.value;
  return part ?? 'UTC';
}
