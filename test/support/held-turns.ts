// Turn taking whose turns the test grants by hand: a request held in the API gate stays in flight
// until grantAll() (src/http/turn-taking.ts decides this in the service).
import type { TurnOutcome, TurnTaking } from '../../src/http/turn-taking.js';

export function heldTurns(): { turns: TurnTaking; grantAll: () => void } {
  const held: (() => void)[] = [];
  const turns: TurnTaking = {
    take: () => new Promise<TurnOutcome>((resolve) => held.push(() => resolve('admitted'))),
    get waiting() {
      return held.length;
    },
  };
  return { turns, grantAll: () => held.splice(0).forEach((grant) => grant()) };
}
