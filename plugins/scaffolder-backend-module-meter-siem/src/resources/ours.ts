import { ConflictError } from '@backstage/errors';
import {
  MANAGED_BY_VALUE,
  MeterSiemSettings,
} from '@internal/backstage-plugin-meter-siem-common';

/** A resource of an integration, as messages name it. */
export interface ResourceLabel {
  /** `Kinesis stream`, `IAM policy`, `IAM role`. */
  kind: string;
  name: string;
  accountId: string;
  /** Absent for IAM, which is global. */
  region?: string;
}

export function describeResource(label: ResourceLabel): string {
  return `${label.kind} ${label.name}`;
}

function where(label: ResourceLabel): string {
  return label.region
    ? `account ${label.accountId}, region ${label.region},`
    : `account ${label.accountId}`;
}

/**
 * The one answer to "is this existing resource ours?": it carries the
 * integration's tags as Backstage writes them. Anything else is refused and
 * left untouched.
 */
export function assertOurs(
  tags: Record<string, string>,
  label: ResourceLabel,
  integrationName: string,
  tagKeys: MeterSiemSettings['tagKeys'],
): void {
  if (
    tags[tagKeys.integration] !== integrationName ||
    tags[tagKeys.managedBy] !== MANAGED_BY_VALUE
  ) {
    throw new ConflictError(
      `${/^[AEIOU]/.test(label.kind) ? 'An' : 'A'} ${label.kind} named ${
        label.name
      } already exists in ${where(
        label,
      )} and was not created by Backstage for integration ${integrationName} (its tags ${
        tagKeys.integration
      }/${
        tagKeys.managedBy
      } do not say so). It was left untouched. Choose another integration name, or remove or rename that ${
        label.kind
      }.`,
    );
  }
}
