/**
 * The regions the create form offers, and the regions the catalog provider
 * scans for streams left behind unless configured otherwise: one list, so
 * that an integration made from the form is never outside what the catalog
 * sees. (Integrations themselves are found through IAM, which is global,
 * in whatever region their roles grant.) The template's `region` enum is
 * checked against it by a test.
 *
 * @public
 */
export const AWS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ap-south-1',
  'sa-east-1',
] as const;
