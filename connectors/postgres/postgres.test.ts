// Unit tests of the PostgreSQL type parsers (no server; postgres.integration.test.ts reads the same
// types from a real server). Inputs are PostgreSQL's text output, written by hand (DateStyle ISO,
// TimeZone UTC, as the connector sets them).
import { describe, expect, it } from 'vitest';
import { DATE_RE, isNaiveTimestamp } from '../../core/data/columns.ts';
import { stratumTypeParser } from './postgres.ts';

const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const DATE = 1082;

describe('stratumTypeParser: the timestamp convention', () => {
  it('timestamp (no zone) stays naive, timestamptz ends in Z, date stays a calendar day', () => {
    const naive = stratumTypeParser(TIMESTAMP)!;
    const zoned = stratumTypeParser(TIMESTAMPTZ)!;
    expect(naive('2012-01-01 10:00:00')).toBe('2012-01-01T10:00:00');
    expect(naive('2012-01-01 10:00:00.123456')).toBe('2012-01-01T10:00:00.123456');
    expect(zoned('2012-01-01 10:00:00+00')).toBe('2012-01-01T10:00:00Z');
    expect(zoned('2012-01-01 10:00:00.5+00')).toBe('2012-01-01T10:00:00.5Z');
    expect(stratumTypeParser(DATE)!('2024-02-29')).toBe('2024-02-29');
    for (const text of ['2012-01-01T10:00:00', '2012-01-01T10:00:00.123456', '2012-01-01T10:00:00Z']) expect(DATE_RE.test(text), text).toBe(true);
    expect([isNaiveTimestamp(naive('2012-01-01 10:00:00') as string), isNaiveTimestamp(zoned('2012-01-01 10:00:00+00') as string)]).toEqual([true, false]);
  });
});
