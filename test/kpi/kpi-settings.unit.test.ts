import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config.ts';
import { ConfigError } from '../../src/errors/config-error.ts';
import { kpiSettingsOf } from '../../src/kpi/settings.ts';

function issuesOf(yaml: string): string[] {
  try {
    parseConfigText(yaml, 'test.yaml', {});
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the config to be rejected');
}

describe('kpis settings', () => {
  it('defaults every option when the section is left out', () => {
    expect(parseConfigText('', 'empty.yaml', {}).kpis).toEqual({
      quotaSource: 'crm',
      paceThresholds: { ahead: 1, onTrack: 0.9, behind: 0.7 },
      retainDays: 35,
    });
  });

  it('accepts every option and combines them with the org calendar', () => {
    const config = parseConfigText(
      `
org:
  timezone: America/Los_Angeles
  fiscalYearStartMonth: 2
kpis:
  quotaSource: file
  referralSources: [Partner Referral, Employee Referral]
  paceThresholds: { ahead: 1.1, onTrack: 1, behind: 0.8 }
  retainDays: 90
`,
      'kpis.yaml',
      {},
    );
    expect(kpiSettingsOf(config)).toEqual({
      timezone: 'America/Los_Angeles',
      fiscalYearStartMonth: 2,
      fiscalYearNaming: 'end',
      quotaSource: 'file',
      referralSources: ['Partner Referral', 'Employee Referral'],
      paceThresholds: { ahead: 1.1, onTrack: 1, behind: 0.8 },
      retainDays: 90,
    });
  });

  it('fills the thresholds that are not given', () => {
    const config = parseConfigText('kpis:\n  paceThresholds: { behind: 0.5 }\n', 'partial.yaml', {});
    expect(config.kpis.paceThresholds).toEqual({ ahead: 1, onTrack: 0.9, behind: 0.5 });
  });

  it('names every problem with its path', () => {
    expect(
      issuesOf(`
kpis:
  quotaSource: spreadsheet
  referralSources: []
  retainDays: 0
  colour: blue
`),
    ).toEqual([
      'kpis.colour: unknown key',
      'kpis.quotaSource: must be one of "crm", "file"',
      'kpis.referralSources: must be >= 1 in length',
      'kpis.retainDays: must be >= 1',
    ]);
  });

  it('rejects thresholds that are not positive numbers or do not descend', () => {
    expect(issuesOf('kpis:\n  paceThresholds: { ahead: 0.8, onTrack: 0.9 }\n')).toEqual([
      'kpis.paceThresholds: thresholds must not increase: ahead >= onTrack >= behind',
    ]);
    expect(issuesOf('kpis:\n  paceThresholds: { behind: -1, extra: 2 }\n')).toEqual([
      'kpis.paceThresholds.behind: must be > 0',
      'kpis.paceThresholds.extra: unknown key',
    ]);
    expect(issuesOf('kpis:\n  retainDays: 1.5\n  referralSources: [""]\n')).toEqual([
      'kpis.referralSources[0]: must not be empty',
      'kpis.retainDays: Invalid input: expected int, received number',
    ]);
  });
});
