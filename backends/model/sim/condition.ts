import { Event, PENDING, PROCESSED } from './event.js';
import type { Environment } from './env.js';

/**
 * allOf / anyOf: events that fire when all / the first of their sub-events are processed.
 * A failed sub-event fails the condition (and is thereby handled, so run() does not rethrow it).
 */
function check(env: Environment, events: readonly Event[], who: string): void {
  for (const ev of events) {
    if (!(ev instanceof Event) || ev.env !== env) throw new TypeError(`${who}: every element must be an Event of this environment`);
  }
}

export function allOf(env: Environment, events: readonly Event[]): Event<unknown[]> {
  check(env, events, 'allOf');
  const cond = new Event<unknown[]>(env);
  let remaining = events.length;
  if (remaining === 0) return cond.succeed([]);
  const onEvent = (ev: Event): void => {
    if (!ev._ok) ev._defused = true;
    if (cond._state !== PENDING) return;
    if (!ev._ok) {
      cond.fail(ev._value as Error);
      return;
    }
    if (--remaining === 0) cond.succeed(events.map((e) => e._value));
  };
  for (const ev of events) {
    if (ev._state === PROCESSED) onEvent(ev);
    else ev._addCallback(onEvent);
  }
  return cond;
}

export function anyOf(env: Environment, events: readonly Event[]): Event<Event> {
  check(env, events, 'anyOf');
  if (events.length === 0) throw new RangeError('anyOf: needs at least one event');
  const cond = new Event<Event>(env);
  const onEvent = (ev: Event): void => {
    if (!ev._ok) ev._defused = true;
    if (cond._state !== PENDING) return;
    if (!ev._ok) cond.fail(ev._value as Error);
    else cond.succeed(ev);
  };
  for (const ev of events) {
    if (ev._state === PROCESSED) onEvent(ev);
    else ev._addCallback(onEvent);
  }
  return cond;
}
