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
 * Like {@link parseArn}, but `undefined` for what is not an ARN (a wildcard,
 * an account id, anything a policy or a form may hold).
 *
 * @public
 */
export function tryParseArn(arn: string): Arn | undefined {
  try {
    return parseArn(arn);
  } catch {
    return undefined;
  }
}

/**
 * The name at the end of a resource path (`role/path/name` gives `name`,
 * `stream/name` gives `name`): the one place that takes a resource's name
 * out of its ARN.
 *
 * @public
 */
export function resourceName(arn: string): string {
  const { resource } = parseArn(arn);
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/** The kinds of resource ARN the product handles. @public */
export type ResourceArnKind = 'stream' | 'role' | 'policy';

const RESOURCE_ARN_KINDS: Record<
  ResourceArnKind,
  { service: string; prefix: string }
> = {
  stream: { service: 'kinesis', prefix: 'stream/' },
  role: { service: 'iam', prefix: 'role/' },
  policy: { service: 'iam', prefix: 'policy/' },
};

/**
 * Which of a Kinesis stream, an IAM role or an IAM policy an ARN names, if
 * any of them (with a name after the resource type).
 *
 * @public
 */
export function resourceArnKind(arn: Arn): ResourceArnKind | undefined {
  return (Object.keys(RESOURCE_ARN_KINDS) as ResourceArnKind[]).find(kind => {
    const { service, prefix } = RESOURCE_ARN_KINDS[kind];
    return (
      arn.service === service &&
      arn.resource.startsWith(prefix) &&
      arn.resource.length > prefix.length
    );
  });
}

/** The console of each partition; others get the commercial one. */
const CONSOLE_HOSTS: Record<string, string> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

function consoleHost(partition: string): string {
  return CONSOLE_HOSTS[partition] ?? CONSOLE_HOSTS.aws;
}

/** Console pages, from what the console finds each kind by. */
const CONSOLE_PAGES: Record<
  ResourceArnKind,
  (host: string, region: string, id: string) => string
> = {
  stream: (host, region, name) =>
    `https://${region}.${host}/kinesis/home?region=${region}#/streams/details/${encodeURIComponent(
      name,
    )}/details`,
  role: (host, _region, name) =>
    `https://${host}/iam/home#/roles/details/${encodeURIComponent(name)}`,
  // The IAM console finds a policy by its ARN, not by its name.
  policy: (host, _region, arn) =>
    `https://${host}/iam/home#/policies/details/${encodeURIComponent(arn)}`,
};

/**
 * The AWS console page of a Kinesis stream, IAM role or IAM policy, in the
 * console of the ARN's partition (commercial, China, GovCloud). Throws for
 * what is not the ARN of one of them.
 *
 * @public
 */
export function consoleUrl(arn: string): string {
  const parsed = parseArn(arn);
  const kind = resourceArnKind(parsed);
  if (!kind) {
    throw new Error(
      `"${arn}" is not the ARN of a Kinesis stream, an IAM role or an IAM policy`,
    );
  }
  const id = kind === 'policy' ? arn : resourceName(arn);
  return CONSOLE_PAGES[kind](consoleHost(parsed.partition), parsed.region, id);
}

/**
 * Console addresses of the resources, for links in the catalog and the
 * run's output, from their names: {@link consoleUrl} for what has an ARN.
 *
 * @public
 */
export function consoleUrls(options: {
  region: string;
  streamName: string;
  roleName: string;
}): { stream: string; role: string } {
  const { region, streamName, roleName } = options;
  const host = consoleHost(partitionOf(region));
  return {
    stream: CONSOLE_PAGES.stream(host, region, streamName),
    role: CONSOLE_PAGES.role(host, region, roleName),
  };
}
