import { WireShapes } from "./generated/contract.js";

/**
 * Makes a received value look the same whichever protocol carried it: JSON writes times as ISO strings, MessagePack
 * as its timestamp extension (a Date); every time becomes a Date. `shape` names the contract type (also of an array's
 * items); the value is changed in place and returned.
 */
export function normalize<T>(value: T, shape: string | null | undefined): T {
  if (shape === null || shape === undefined || value === null || value === undefined) {
    return value;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      normalize(item, shape);
    }
    return value;
  }
  const wire = WireShapes[shape];
  if (wire === undefined || typeof value !== "object") {
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const field of wire.dates) {
    const time = record[field];
    if (typeof time === "string") {
      record[field] = new Date(time);
    }
  }
  for (const [field, nested] of Object.entries(wire.nested)) {
    normalize(record[field], nested);
  }
  return value;
}
