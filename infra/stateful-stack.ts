import { Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from "aws-cdk-lib/aws-dynamodb";
import { type Archive, EventBus } from "aws-cdk-lib/aws-events";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { globalSecondaryIndex, knownIndex, TABLE } from "#shared/adapters/dynamodb/table-definition";
import { LEAD_STAGE_CHANGED } from "#shared/bus/lead-stage-changed";
import { acknowledge } from "./nag";

/** The keys operators fill in; senders' keys (RIPEN_SECRET_TYPEFORM, ...) are added as they connect. */
export const SECRET_TEMPLATE = {
  SLACK_WEBHOOK_URL: "",
  SLACK_MARKETING_WEBHOOK_URL: "",
  SLACK_BOT_TOKEN: "",
  SLACK_SIGNING_SECRET: "",
};

export interface StatefulStackProps extends StackProps {
  archiveRetentionDays: number;
  /**
   * The indexes the table has, current or retired (ripen:tableIndexes): only while a deployed table moves
   * between releases, one index added or dropped per deploy (MIGRATIONS.md). Default: TABLE.indexes.
   */
  tableIndexes?: readonly string[];
}

/**
 * What must outlive any deployment: the table, the bus with its replay archive, and the secret
 * operators paste sender and Slack credentials into. Everything here is retained on stack deletion.
 */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly bus: EventBus;
  readonly secret: Secret;
  /** The key of lead ids and event keys (HMAC): generated here, never pasted, never rotated. */
  readonly idKey: Secret;
  /** The key of signed links to lead and funnel pages: generated here; rotating it voids every link out. */
  readonly linkKey: Secret;
  /** The bus's replay archive: `npm run replay` starts its replays. */
  readonly archive: Archive;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    this.table = new Table(this, "Table", {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TABLE.ttlAttribute,
      stream: StreamViewType[TABLE.streamView],
    });
    // Declared exactly as createTableInput declares them for DynamoDB Local and the benchmarks.
    for (const name of props.tableIndexes ?? TABLE.indexes.map((index) => index.name)) {
      const index = knownIndex(name);
      if (!index) throw new Error(`table-definition.ts has no index ${name}, current or retired`);
      const { Projection } = globalSecondaryIndex(index);
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType[Projection.ProjectionType],
        ...("NonKeyAttributes" in Projection && { nonKeyAttributes: Projection.NonKeyAttributes }),
      });
    }

    this.bus = new EventBus(this, "Bus", { description: "Ripen's domain events" });
    this.archive = this.bus.archive("Archive", {
      description: "Ripen events kept for replay after a notifier outage",
      eventPattern: { source: [LEAD_STAGE_CHANGED.source] },
      retention: Duration.days(props.archiveRetentionDays),
    });

    // A stable template: changing it would make CloudFormation regenerate the value and lose pasted keys.
    this.secret = new Secret(this, "Secrets", {
      description: "Ripen: sender signing secrets (RIPEN_SECRET_<SOURCE>) and Slack credentials",
      generateSecretString: {
        secretStringTemplate: JSON.stringify(SECRET_TEMPLATE),
        generateStringKey: "RIPEN_SECRET_GENERIC",
        excludePunctuation: true,
        passwordLength: 48,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Lead ids, event keys and the records erasures leave are keyed hashes under this key: a value of its
    // own, distinct from every signing secret, and created once.
    this.idKey = new Secret(this, "IdKey", {
      description: "Ripen: the key lead ids and event keys are hashed with (never rotated: see MIGRATIONS.md)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.idKey,
      "AwsSolutions-SMG4",
      "Rotating it would change every lead id, and an erased person's tombstone and event records cannot be " +
        "re-keyed without the email the erasure removed: the key is kept for the table's life, and only the " +
        "ingest, read and erase functions may read it.",
    );
    this.linkKey = new Secret(this, "LinkKey", {
      description: "Ripen: the key links to lead and funnel pages are signed with (rotating it voids every link)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.linkKey,
      "AwsSolutions-SMG4",
      "Links live days, not months: an operator rotates the key by hand (the README says how) when a link may " +
        "have leaked, which voids every link out at once; a scheduled rotation would void them without cause.",
    );
    acknowledge(
      this.secret,
      "AwsSolutions-SMG4",
      "The values are signing secrets issued by third-party tools (Typeform, Slack, ...) and must be rotated in " +
        "those tools first; a rotation Lambda cannot do that. Operators rotate them by hand as the README describes.",
    );
  }
}
