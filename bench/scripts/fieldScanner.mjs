// A hand-written scanner that reads only the fields replay's fold needs from one log line,
// measured against JSON.parse by replayOnce.mjs (mode `field-scan`). It is the cheapest variant
// (a backslash sends the line to JSON.parse; control characters inside strings are NOT checked,
// so it is an upper bound on a correct scanner's speed). Kept here as the evidence for the
// decision in rfcs/0003-event-log.md not to ship it: on this machine it is no faster than
// V8's JSON.parse.

function skipNumber(s, i, end) {
  let c = s.charCodeAt(i);
  if (c === 45) c = s.charCodeAt(++i);
  if (c === 48) c = s.charCodeAt(++i);
  else if (c >= 49 && c <= 57) {
    do c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57);
  } else return -1;
  if (c === 46) {
    c = s.charCodeAt(++i);
    if (!(c >= 48 && c <= 57)) return -1;
    do c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57);
  }
  if (c === 101 || c === 69) {
    c = s.charCodeAt(++i);
    if (c === 43 || c === 45) c = s.charCodeAt(++i);
    if (!(c >= 48 && c <= 57)) return -1;
    do c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57);
  }
  return i > end ? -1 : i;
}
function skipValue(s, i, end, depth) {
  const c = s.charCodeAt(i);
  if (c === 34) {
    const q = s.indexOf('"', i + 1);
    return q < 0 || q >= end ? -1 : q + 1;
  }
  if (c === 123 || c === 91) {
    if (depth >= 64) return -1;
    const obj = c === 123;
    const close = obj ? 125 : 93;
    i++;
    while (s.charCodeAt(i) === 32) i++;
    if (s.charCodeAt(i) === close) return i + 1;
    for (;;) {
      if (obj) {
        if (s.charCodeAt(i) !== 34) return -1;
        const q = s.indexOf('"', i + 1);
        if (q < 0 || q >= end) return -1;
        i = q + 1;
        while (s.charCodeAt(i) === 32) i++;
        if (s.charCodeAt(i) !== 58) return -1;
        i++;
        while (s.charCodeAt(i) === 32) i++;
      }
      i = skipValue(s, i, end, depth + 1);
      if (i < 0) return -1;
      while (s.charCodeAt(i) === 32) i++;
      const d = s.charCodeAt(i);
      if (d === close) return i + 1;
      if (d !== 44 || i >= end) return -1;
      i++;
      while (s.charCodeAt(i) === 32) i++;
    }
  }
  if (c === 116) return s.startsWith('true', i) && i + 4 <= end ? i + 4 : -1;
  if (c === 102) return s.startsWith('false', i) && i + 5 <= end ? i + 5 : -1;
  if (c === 110) return s.startsWith('null', i) && i + 4 <= end ? i + 4 : -1;
  return skipNumber(s, i, end);
}
export function scanFields(s) {
  const end = s.length;
  if (s.indexOf('\\') >= 0) return undefined;
  const e = {
    event_type: undefined,
    timestamp: undefined,
    trace_id: undefined,
    repo: undefined,
    event_id: undefined,
    seq: undefined,
    server_name: undefined,
    status: undefined,
    response_time_ms: undefined,
    error: undefined,
    reason: undefined,
    attempt: undefined,
    transport: undefined,
    strategy: undefined,
  };
  let i = 0;
  while (s.charCodeAt(i) === 32) i++;
  if (s.charCodeAt(i) !== 123) return undefined;
  i++;
  while (s.charCodeAt(i) === 32) i++;
  if (s.charCodeAt(i) === 125) {
    i++;
  } else
    for (;;) {
      if (s.charCodeAt(i) !== 34) return undefined;
      const k = i + 1;
      const q = s.indexOf('"', k);
      if (q < 0 || q >= end) return undefined;
      i = q + 1;
      while (s.charCodeAt(i) === 32) i++;
      if (s.charCodeAt(i) !== 58) return undefined;
      i++;
      while (s.charCodeAt(i) === 32) i++;
      const c = s.charCodeAt(i);
      let f = -1;
      switch (q - k) {
        case 3:
          if (s.startsWith('seq', k)) f = 5;
          break;
        case 4:
          if (s.startsWith('repo', k)) f = 3;
          break;
        case 5:
          if (s.startsWith('error', k)) f = 9;
          break;
        case 6:
          f = s.startsWith('status', k) ? 7 : s.startsWith('reason', k) ? 10 : -1;
          break;
        case 7:
          if (s.startsWith('attempt', k)) f = 11;
          break;
        case 8:
          f = s.startsWith('trace_id', k)
            ? 2
            : s.startsWith('event_id', k)
              ? 4
              : s.startsWith('strategy', k)
                ? 13
                : -1;
          break;
        case 9:
          f = s.startsWith('timestamp', k) ? 1 : s.startsWith('transport', k) ? 12 : -1;
          break;
        case 10:
          if (s.startsWith('event_type', k)) f = 0;
          break;
        case 11:
          if (s.startsWith('server_name', k)) f = 6;
          break;
        case 16:
          if (s.startsWith('response_time_ms', k)) f = 8;
          break;
      }
      let v;
      const start = i;
      if (f < 0) {
        i = skipValue(s, i, end, 1);
        if (i < 0) return undefined;
      } else {
        if (c === 34) {
          const q2 = s.indexOf('"', i + 1);
          if (q2 < 0 || q2 >= end) return undefined;
          v = s.slice(i + 1, q2);
          i = q2 + 1;
        } else if (c === 123 || c === 91) return undefined;
        else {
          i = skipValue(s, i, end, 1);
          if (i < 0) return undefined;
          v = c === 116 ? true : c === 102 ? false : c === 110 ? null : Number(s.slice(start, i));
        }
        switch (f) {
          case 0:
            e.event_type = v;
            break;
          case 1:
            e.timestamp = v;
            break;
          case 2:
            e.trace_id = v;
            break;
          case 3:
            e.repo = v;
            break;
          case 4:
            e.event_id = v;
            break;
          case 5:
            e.seq = v;
            break;
          case 6:
            e.server_name = v;
            break;
          case 7:
            e.status = v;
            break;
          case 8:
            e.response_time_ms = v;
            break;
          case 9:
            e.error = v;
            break;
          case 10:
            e.reason = v;
            break;
          case 11:
            e.attempt = v;
            break;
          case 12:
            e.transport = v;
            break;
          case 13:
            e.strategy = v;
            break;
        }
      }
      while (s.charCodeAt(i) === 32) i++;
      const d = s.charCodeAt(i);
      if (d === 125) {
        i++;
        break;
      }
      if (d !== 44) return undefined;
      i++;
      while (s.charCodeAt(i) === 32) i++;
    }
  while (s.charCodeAt(i) === 32) i++;
  return i === end ? e : undefined;
}
