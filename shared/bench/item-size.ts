import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/**
 * An item's size as DynamoDB bills it (close to, not byte-exact): each attribute's name plus its value;
 * strings and binaries by length, numbers about one byte per two digits plus one, maps and lists three
 * bytes plus a byte per element. Capacity is billed per started KB written and 4 KB read.
 */
export function itemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  if (value.NS) return value.NS.reduce((sum, number) => sum + numberBytes(number), 0);
  if (value.BS) return value.BS.reduce((sum, binary) => sum + binary.length, 0);
  if (value.L) return 3 + value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 0);
  if (value.M) {
    return (
      3 +
      Object.entries(value.M).reduce(
        (sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + valueBytes(element),
        0,
      )
    );
  }
  return 0;
}

function numberBytes(number: string): number {
  const digits = number.replace(/^-/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}
