import type { HubSpotConnectionConfig } from '../../src/config.ts';
import type { StageContext } from '../../src/stage.ts';
import type { DoctorCheck, WritebackFieldMapping } from '../types.ts';
import { classifyHubSpotError, toAttainError } from './classify-error.ts';
import type { HubSpotApi } from './hubspot-api.ts';
import { causeOf } from './metadata-cache.ts';
import { openHubSpotSession } from './session.ts';
import { HUBSPOT_WRITEBACK_DEFAULTS, isRatio, PACE_OPTIONS, SCORECARD_KEY } from './writeback.ts';

/**
 * `attain doctor --fix`: creates what writeback needs, idempotently — the scorecard schema (when
 * writing scorecards), the property group and one property per mapped KPI. Each thing is read
 * first and created only on 404; a 409 from the create (someone else was faster) counts as there.
 * A second run only reads.
 */
export async function setUpHubSpot(ctx: StageContext): Promise<DoctorCheck[]> {
  const connection = ctx.connection as HubSpotConnectionConfig;
  const session = await openHubSpotSession(ctx, { refreshSchema: true });
  const { api, metadata } = session;
  const { scorecardObject, propertyGroup } = connection.writeback;
  const checks: DoctorCheck[] = [];
  let objectType = 'deals';
  if ((await session.writeback.mode()) === 'scorecard') {
    const created = await ensure(
      api,
      `schema ${scorecardObject}`,
      () => api.apis.schemas.getById(scorecardObject),
      () => api.apis.schemas.create(scorecardSchema(scorecardObject)),
    );
    metadata.forgetSchema(scorecardObject);
    const schema = await metadata.schema(scorecardObject);
    if (schema.state !== 'found')
      throw new Error(`schema ${scorecardObject} is not readable after creating it`);
    objectType = schema.fullyQualifiedName;
    checks.push({
      name: 'scorecard object',
      status: 'ok',
      detail: `${objectType} (${schema.objectTypeId}) ${created ? 'created' : 'exists'}`,
    });
  }
  const groupCreated = await ensure(
    api,
    `property group ${propertyGroup}`,
    () => api.apis.propertyGroups.getByName(objectType, propertyGroup),
    () =>
      api.apis.propertyGroups.create(objectType, {
        name: propertyGroup,
        label: 'Attain KPIs',
        displayOrder: -1,
      }),
  );
  const mappings = connection.writeback.fields ?? HUBSPOT_WRITEBACK_DEFAULTS;
  const createdProperties: string[] = [];
  for (const mapping of mappings) {
    const created = await ensure(
      api,
      `property ${mapping.field}`,
      () => api.apis.properties.getByName(objectType, mapping.field),
      () => api.apis.properties.create(objectType, propertyFor(mapping, propertyGroup)),
    );
    if (created) createdProperties.push(mapping.field);
  }
  metadata.forgetProperties(objectType);
  await metadata.properties(objectType);
  checks.push({
    name: 'writeback properties',
    status: 'ok',
    detail:
      `group ${propertyGroup} ${groupCreated ? 'created' : 'exists'} on ${objectType}; ` +
      (createdProperties.length > 0
        ? `created ${createdProperties.join(', ')}`
        : `all ${mappings.length} properties exist`),
  });
  return checks;
}

/** Reads a thing; creates it on 404 (409 = created meanwhile). True when this call created it. */
async function ensure(
  api: HubSpotApi,
  what: string,
  read: () => Promise<unknown>,
  create: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await api.call(`read of ${what}`, read);
    return false;
  } catch (error) {
    if (classifyHubSpotError(causeOf(error)).kind !== 'not_found') throw error;
  }
  try {
    await api.call(`creation of ${what}`, create);
    return true;
  } catch (error) {
    if (classifyHubSpotError(causeOf(error)).kind === 'conflict') return false;
    throw toAttainError(error, `creation of ${what}`);
  }
}

function scorecardSchema(name: string) {
  return {
    name,
    labels: { singular: 'Rep scorecard', plural: 'Rep scorecards' },
    primaryDisplayProperty: SCORECARD_KEY,
    requiredProperties: [SCORECARD_KEY],
    searchableProperties: [SCORECARD_KEY],
    secondaryDisplayProperties: [],
    properties: [
      {
        name: SCORECARD_KEY,
        label: 'Owner id',
        type: 'string',
        fieldType: 'text',
        hasUniqueValue: true,
        description: 'The HubSpot owner id of the rep this scorecard belongs to (one scorecard per owner).',
      },
    ],
    associatedObjects: [],
  } as unknown as Parameters<HubSpotApi['apis']['schemas']['create']>[0];
}

type PropertyCreate = Parameters<HubSpotApi['apis']['properties']['create']>[1];

/** The property a KPI is written to: a date, the pace status options, or a number. */
function propertyFor(mapping: WritebackFieldMapping, groupName: string): PropertyCreate {
  const label = `${mapping.metric.replace(/_/g, ' ')} (${mapping.period})`;
  const base = { name: mapping.field, groupName, label: label.charAt(0).toUpperCase() + label.slice(1) };
  if (mapping.metric === 'as_of')
    return {
      ...base,
      type: 'date',
      fieldType: 'date',
      description: 'The day the KPIs were computed for.',
    } as unknown as PropertyCreate;
  if (mapping.metric === 'pace_status')
    return {
      ...base,
      type: 'enumeration',
      fieldType: 'select',
      options: PACE_OPTIONS.map(([value, optionLabel], displayOrder) => ({
        value,
        label: optionLabel,
        displayOrder,
        hidden: false,
      })),
      description: 'Attainment against the share of the period elapsed.',
    } as unknown as PropertyCreate;
  return {
    ...base,
    type: 'number',
    fieldType: 'number',
    description: isRatio(mapping.metric)
      ? 'A percentage (0–100), computed by attain.'
      : 'Computed by attain.',
  } as unknown as PropertyCreate;
}
