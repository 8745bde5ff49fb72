// Image size and app layer, as the e2e suite recorded them (apps/e2e/.results/report.json) when it ran.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const e2eReportPath = fileURLToPath(new URL("../../e2e/.results/report.json", import.meta.url));

export interface ImageSizes {
  /** Every numeric field of the report whose name speaks of an image, base or layer size, by its JSON path. */
  fields: Record<string, number>;
}

/** The size fields of the e2e report, or undefined when the e2e suite has not written one. */
export function readImageSizes(file = e2eReportPath): ImageSizes | undefined {
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const fields: Record<string, number> = {};
  const walk = (value: unknown, at: string): void => {
    if (typeof value === "number" && /(image|layer|base)/i.test(at) && /(size|bytes|[km]i?b)$/i.test(at))
      fields[at] = value;
    else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) walk(inner, at ? `${at}.${key}` : key);
    }
  };
  walk(report, "");
  return Object.keys(fields).length ? { fields } : undefined;
}
