import { expect, test } from "vitest";
import { turnOrder } from "../src/turn-order.js";

const things = ["a", "b", "c", "d"];
const rounds = Array.from({ length: 2 * things.length }, (_, round) => turnOrder(things, round));

test("every round runs each thing once", () => {
  for (const order of rounds) expect([...order].sort()).toEqual(things);
});

test("over 2 × n rounds each thing takes every position twice", () => {
  for (const thing of things)
    for (let position = 0; position < things.length; position++)
      expect(rounds.filter((order) => order[position] === thing)).toHaveLength(2);
});

test("each thing runs right after each other thing as often as right before it", () => {
  const follows = (x: string, y: string) =>
    rounds.filter((order) => order.some((t, i) => t === y && order[i - 1] === x)).length;
  for (const x of things) for (const y of things) if (x !== y) expect(follows(x, y)).toBe(follows(y, x));
});

test("the first round keeps the given order; none is empty for no things", () => {
  expect(turnOrder(things, 0)).toEqual(things);
  expect(turnOrder([], 3)).toEqual([]);
});
