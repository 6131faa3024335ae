/** A CSV syntax problem; `row` is the 1-based record number where it starts (the header is row 1). */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  readonly row: number;

  constructor(row: number, detail: string) {
    super(detail);
    this.row = row;
  }
}

/**
 * Parses RFC 4180 CSV text into records (arrays of fields). Quoted fields may contain commas, line breaks
 * and doubled quotes (`""`). Records end with LF or CRLF; a final line break is optional. A leading UTF-8
 * byte-order mark is skipped. Text that was not valid UTF-8 (U+FFFD replacement characters), a blank line,
 * a stray quote or carriage return, or an unterminated quoted field is rejected with the record number.
 *
 * @example parseCsv('a,b\n"x, y",z\n') // [['a', 'b'], ['x, y', 'z']]
 */
export function parseCsv(input: string): string[][] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let fieldWasQuoted = false;
  let row = 1;
  let i = 0;

  const endRecord = (): void => {
    record.push(field);
    if (record.length === 1 && record[0] === '' && !fieldWasQuoted) {
      throw new CsvSyntaxError(row, 'blank line — remove it');
    }
    records.push(record);
    record = [];
    field = '';
    fieldWasQuoted = false;
    row += 1;
  };

  while (i < text.length) {
    const ch = text[i];
    if (ch === '\uFFFD') throw new CsvSyntaxError(row, 'the file is not valid UTF-8 — save it as UTF-8');
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        const next = text[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError(row, 'characters after a closing quote — quote the whole field');
        }
        i += 1;
        continue;
      }
      field += ch;
      i += 1;
      continue;
    }
    if (ch === '"') {
      if (field !== '') {
        throw new CsvSyntaxError(
          row,
          'a quote inside an unquoted field — quote the field and double the quote',
        );
      }
      quoted = true;
      fieldWasQuoted = true;
      i += 1;
      continue;
    }
    if (ch === ',') {
      record.push(field);
      field = '';
      fieldWasQuoted = false;
      i += 1;
      continue;
    }
    if (ch === '\r') {
      if (text[i + 1] !== '\n') throw new CsvSyntaxError(row, 'a carriage return without a line feed');
      endRecord();
      i += 2;
      continue;
    }
    if (ch === '\n') {
      endRecord();
      i += 1;
      continue;
    }
    field += ch;
    i += 1;
  }
  if (quoted) throw new CsvSyntaxError(row, 'a quoted field is not closed — add the closing quote');
  if (field !== '' || record.length > 0 || fieldWasQuoted) endRecord();
  return records;
}
