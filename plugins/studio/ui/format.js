export function duration(ms) {
  if (ms === undefined || ms === null) return '—';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

export function tokens(count) {
  if (!count) return '0';
  if (count < 10_000) return String(count);
  return `${(count / 1000).toFixed(count < 100_000 ? 1 : 0)}k`;
}

export function cost(usd) {
  if (!usd) return '$0';
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(2)}`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

const minuteFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** A chart's axis label: hours and minutes within a day, the date beyond. */
export function axisTime(epochMs, spanHours) {
  return spanHours > 24 ? dayFormat.format(new Date(epochMs)) : minuteFormat.format(new Date(epochMs));
}

export function clock(epochMs) {
  return timeFormat.format(new Date(epochMs));
}

export function when(epochMs) {
  const date = new Date(epochMs);
  return new Date().toDateString() === date.toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
}

export function percent(fraction) {
  return `${(fraction * 100).toFixed(fraction > 0 && fraction < 0.1 ? 1 : 0)}%`;
}

export function shortId(id) {
  return id && id.length > 12 ? `${id.slice(0, 8)}…` : id;
}
