import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

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
        /** Defaults to every 30 minutes with a 10 minute timeout. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
