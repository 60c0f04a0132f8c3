/**
 * Reads a CSV file the way Excel or WPS opens one: the encoding from the byte-order mark (without
 * one, a Chinese Windows reads the bytes as GBK, so UTF-8 text would be garbled), then RFC 4180
 * fields. `formulaCells` lists the cells the spreadsheet would run as a formula.
 */
export interface SpreadsheetView {
  hasBom: boolean;
  rows: string[][];
}

export function openAsSpreadsheet(bytes: Buffer): SpreadsheetView {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = bytes.subarray(hasBom ? 3 : 0).toString("utf8");
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return { hasBom, rows };
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Spreadsheets skip leading blanks and invisible characters before deciding a cell is a formula
 * (= + - @, and their full-width forms); a plain number, negative included, is a number.
 */
export function runsAsFormula(cell: string): boolean {
  if (NUMBER.test(cell)) return false;
  const start = cell.replace(/^[\s\p{Cf}\p{Z}]+/u, "");
  return /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\t\r]/.test(start) || /^[=+\-@\t\r]/.test(cell);
}

export const hasControlCharacters = (cell: string) => /\p{Cc}/u.test(cell);
