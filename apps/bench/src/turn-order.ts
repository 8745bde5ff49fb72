// The order in which the things a run compares take their turns, round by round: rotated every other
// round and reversed every odd round, so over 2 × n rounds each of n things runs twice in every position
// and after each other thing as often as before it. A machine that drifts (another process starting, a
// cache warming) then hits them all alike instead of always the one that goes first.

/** The order of `things` in round `round` (0-based). */
export function turnOrder<T>(things: readonly T[], round: number): T[] {
  const n = things.length;
  if (n === 0) return [];
  const shift = Math.floor(round / 2) % n;
  const rotated = [...things.slice(shift), ...things.slice(0, shift)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}
