/**
 * The parts of an Amazon Resource Name.
 *
 * @public
 */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

/**
 * Parses `arn:partition:service:region:account:resource`. The resource part
 * may itself contain colons.
 *
 * @public
 */
export function parseArn(arn: string): Arn {
  const parts = arn.split(':');
  const [, partition, service, region, accountId, ...rest] = parts;
  const resource = rest.join(':');
  if (parts[0] !== 'arn' || !partition || !service || !resource) {
    throw new Error(`"${arn}" is not an ARN`);
  }
  return { partition, service, region, accountId, resource };
}

/** @public */
export function formatArn(arn: Arn): string {
  return [
    'arn',
    arn.partition,
    arn.service,
    arn.region,
    arn.accountId,
    arn.resource,
  ].join(':');
}

/**
 * The AWS partition a region belongs to.
 *
 * @public
 */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}

/** @public */
export function streamArn(
  region: string,
  accountId: string,
  streamName: string,
): string {
  return formatArn({
    partition: partitionOf(region),
    service: 'kinesis',
    region,
    accountId,
    resource: `stream/${streamName}`,
  });
}

/**
 * IAM is global, so its ARNs have no region; the partition still follows
 * the region the integration lives in.
 *
 * @public
 */
export function iamArn(
  region: string,
  accountId: string,
  kind: 'role' | 'policy',
  name: string,
): string {
  return formatArn({
    partition: partitionOf(region),
    service: 'iam',
    region: '',
    accountId,
    resource: `${kind}/${name}`,
  });
}

/**
 * The name at the end of a resource path (`role/path/name` gives `name`).
 *
 * @public
 */
export function resourceName(arn: string): string {
  const { resource } = parseArn(arn);
  return resource.slice(resource.lastIndexOf('/') + 1);
}

const CONSOLE_HOSTS: Record<string, string> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

/**
 * Console addresses of the resources, for links in the catalog and the
 * run's output.
 *
 * @public
 */
export function consoleUrls(options: {
  region: string;
  streamName: string;
  roleName: string;
}): { stream: string; role: string } {
  const { region, streamName, roleName } = options;
  const host = CONSOLE_HOSTS[partitionOf(region)] ?? CONSOLE_HOSTS.aws;
  return {
    stream: `https://${region}.${host}/kinesis/home?region=${region}#/streams/details/${encodeURIComponent(
      streamName,
    )}/details`,
    role: `https://${host}/iam/home#/roles/details/${encodeURIComponent(
      roleName,
    )}`,
  };
}
