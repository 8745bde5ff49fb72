/**
 * The shortest decimal that reads back as the same float32 (the wire type): `formatFloat32(0.1 + 0.2 result)`
 * is 0.3, not 0.30000001192092896. For showing results to people (the CLI, the calculator page).
 */
export function formatFloat32(value: number): number {
  for (let digits = 1; digits <= 9; digits += 1) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}
