import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

/** A duration: `{ minutes: 15 }`, or an ISO 8601 string such as `PT15M`. */
type Duration =
  | string
  | {
      years?: number;
      months?: number;
      weeks?: number;
      days?: number;
      hours?: number;
      minutes?: number;
      seconds?: number;
      milliseconds?: number;
    };

export interface Config {
  catalog?: {
    providers?: {
      /** Discovery of Meter SIEM integrations in AWS. */
      meterSiem?: {
        /**
         * The accounts to search, each with its regions. Accounts other than
         * the main one need credentials in the `aws` config
         * (`aws.accounts` or `aws.accountDefaults`). Defaults to the main
         * account.
         */
        accounts?: Array<{
          /** Omit for the main account. */
          accountId?: string;
          /** Defaults to the provider's `regions`. */
          regions?: string[];
        }>;
        /**
         * Regions searched for streams left behind (named with the product's
         * prefix, no role trusted by Meter writes to them). Integrations
         * themselves are found through IAM, which is global, in whatever
         * region their roles grant. Defaults to every region the template
         * offers.
         */
        regions?: string[];
        /**
         * Owner of integrations whose resources carry no usable owner tag.
         * Defaults to `group:default/unowned`.
         */
        fallbackOwner?: string;
        /**
         * Defaults to every minute with a 3 minute timeout: each sync reads
         * IAM, re-reads within `readBudget` the streams whose facts would
         * otherwise outgrow `maxFactsAge`, and reuses the others.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /**
         * How old a stream's facts (status, settings, tags, alarm) may get
         * before a sync reads them again, e.g. `{ minutes: 15 }` or `PT15M`.
         * Defaults to 15 minutes. IAM is read in full at every sync; a
         * registration or a change made through Backstage re-reads its
         * integration at once. When there are too many streams in a region
         * for AWS's rates to keep this age, the provider warns once with
         * the age it can keep.
         */
        maxFactsAge?: Duration;
        /**
         * The time a sync may spend reading streams, e.g. `{ seconds: 45 }`
         * (the default). At most three quarters of the schedule's timeout;
         * and the reads end early enough for the rest of the sync (about as
         * long as the IAM read before them) to end within that too.
         * Streams never read that it does not reach are in the catalog with
         * their IAM facts, marked as not read yet, until a later sync reads
         * them.
         */
        readBudget?: Duration;
        /**
         * How fast the provider calls AWS. It paces each operation, per
         * account and region, below AWS's published rates, so that a sync
         * never meets throttling of its own making and leaves the rest of
         * the account's budget to its other tools.
         */
        apiRates?: {
          /**
           * The share of AWS's published rates to use, above 0 and at most
           * 1. Defaults to 0.8.
           */
          fraction?: number;
          /**
           * Calls per second by operation (`kinesis:ListTagsForStream`),
           * used as they are instead of the share of the published rate:
           * for an account whose quota AWS raised.
           */
          perSecond?: { [operation: string]: number };
        };
      };
    };
  };
}
