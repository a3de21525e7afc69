import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { TRANSITION_STREAM_FILTERS } from "#shared/adapters/dynamodb/entities/transition";
import { LEAD_SLA_BREACHED } from "#shared/bus/lead-sla-breached";
import { LEAD_STAGE_CHANGED, type LeadStageChangedDetail } from "#shared/bus/lead-stage-changed";
import { RULES } from "#shared/bus/rules";
import type { EventPattern } from "#shared/bus/summary-schemas";
import type { Channel } from "#shared/domain/model/notifications";
import type { Stage } from "#shared/domain/stages";
import { assertValidPattern, InvalidEventPatternError, matchesPattern } from "#shared/local/event-pattern";

// Cases are taken from the EventBridge user guide ("Event patterns", "Arrays", "Null values and empty
// strings", "Content filtering", "Comparison operators") and, where it leaves a rule implicit, from the
// README of aws/event-ruler, the library EventBridge matches with.

type MatchCase = { name: string; pattern: EventPattern; event: unknown; expected: boolean };

/** The EC2 state-change event the "Event patterns" page starts from. */
const ec2StateChange = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};

/** The same event with the numeric and IP fields the content-filtering examples look at. */
const ec2WithCounts = {
  ...ec2StateChange,
  time: "2017-10-02T16:24:49Z",
  region: "us-east-1",
  detail: {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    state: "running",
  },
};

const withDetail = (detail: Record<string, unknown>) => ({ ...ec2StateChange, detail });

const EXACT_AND_STRUCTURE: MatchCase[] = [
  {
    name: "source, detail-type and nested detail.state all equal",
    pattern: {
      source: ["aws.ec2"],
      "detail-type": ["EC2 Instance State-change Notification"],
      detail: { state: ["terminated"] },
    },
    event: ec2StateChange,
    expected: true,
  },
  {
    name: "one field of the AND differs",
    pattern: { source: ["aws.ec2"], detail: { state: ["running"] } },
    event: ec2StateChange,
    expected: false,
  },
  {
    name: "any value in the pattern array may match",
    pattern: { detail: { state: ["initializing", "running"] } },
    event: ec2WithCounts,
    expected: true,
  },
  {
    name: "a pattern field absent from the event fails",
    pattern: { detail: { "availability-zone": ["us-west-1a"] } },
    event: ec2StateChange,
    expected: false,
  },
  {
    name: "a nested pattern fails when the event has no such parent",
    pattern: { detail: { state: ["terminated"] } },
    event: { source: "aws.ec2" },
    expected: false,
  },
  {
    name: "matching is case sensitive",
    pattern: { source: ["AWS.EC2"] },
    event: ec2StateChange,
    expected: false,
  },
  {
    name: "numbers compare numerically: 300 matches 300.0",
    pattern: { detail: { "x-limit": [300] } },
    event: withDetail({ "x-limit": 300.0 }),
    expected: true,
  },
  {
    name: "numbers compare numerically: 3.018e2 matches 301.8",
    pattern: { detail: { "x-limit": [3.018e2] } },
    event: ec2WithCounts,
    expected: true,
  },
  {
    name: "a number does not match its string form",
    pattern: { detail: { "x-limit": [300] } },
    event: withDetail({ "x-limit": "300" }),
    expected: false,
  },
  {
    name: "true matches the JSON literal",
    pattern: { detail: { encrypted: [true] } },
    event: withDetail({ encrypted: true }),
    expected: true,
  },
  {
    name: "true does not match the string 'true'",
    pattern: { detail: { encrypted: [true] } },
    event: withDetail({ encrypted: "true" }),
    expected: false,
  },
  {
    name: "a nested object matches field by field",
    pattern: { detail: { "c-count": { c1: [100] } } },
    event: withDetail({ "c-count": { c1: 100 } }),
    expected: true,
  },
  {
    name: "a leaf pattern never matches an object in the event",
    pattern: { detail: { "c-count": [100] } },
    event: withDetail({ "c-count": { c1: 100 } }),
    expected: false,
  },
];

const NULL_AND_EMPTY: MatchCase[] = [
  {
    name: "empty string matches an empty string",
    pattern: { detail: { eventVersion: [""] } },
    event: withDetail({ eventVersion: "", responseElements: null }),
    expected: true,
  },
  {
    name: "null matches null",
    pattern: { detail: { responseElements: [null] } },
    event: withDetail({ eventVersion: "", responseElements: null }),
    expected: true,
  },
  {
    name: "empty string does not match null",
    pattern: { detail: { responseElements: [""] } },
    event: withDetail({ eventVersion: "", responseElements: null }),
    expected: false,
  },
  {
    name: "null does not match an empty string",
    pattern: { detail: { eventVersion: [null] } },
    event: withDetail({ eventVersion: "", responseElements: null }),
    expected: false,
  },
  {
    name: "null does not match an absent field",
    pattern: { detail: { UserID: [null] } },
    event: ec2StateChange,
    expected: false,
  },
];

const ARRAYS: MatchCase[] = [
  {
    name: "event array matches when it intersects the pattern array",
    pattern: {
      resources: [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
      ],
    },
    event: {
      resources: [
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
      ],
    },
    expected: true,
  },
  {
    name: "event array with no common element does not match",
    pattern: { resources: ["arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"] },
    event: { resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"] },
    expected: false,
  },
  {
    name: "fields inside an array of objects match through the array",
    pattern: { employees: { firstName: ["Anna"] } },
    event: {
      employees: [
        { firstName: "John", lastName: "Doe" },
        { firstName: "Anna", lastName: "Smith" },
        { firstName: "Peter", lastName: "Jones" },
      ],
    },
    expected: true,
  },
  {
    name: "fields from different array elements do not combine",
    pattern: { employees: { firstName: ["Anna"], lastName: ["Jones"] } },
    event: {
      employees: [
        { firstName: "Anna", lastName: "Smith" },
        { firstName: "Peter", lastName: "Jones" },
      ],
    },
    expected: false,
  },
  {
    name: "multi-level arrays are crushed out",
    pattern: { employees: { firstName: ["Peter"] } },
    event: { employees: [[{ firstName: "John" }, { firstName: "Anna" }], [{ firstName: "Peter" }]] },
    expected: true,
  },
];

const PREFIX_AND_SUFFIX: MatchCase[] = [
  {
    name: "prefix matches the start of a string",
    pattern: { time: [{ prefix: "2017-10-02" }] },
    event: ec2WithCounts,
    expected: true,
  },
  {
    name: "prefix does not match another start",
    pattern: { time: [{ prefix: "2017-10-02" }] },
    event: ec2StateChange,
    expected: false,
  },
  {
    name: "prefix with source: European Auto Scaling events",
    pattern: { source: ["aws.autoscaling"], region: [{ prefix: "eu-" }] },
    event: { source: "aws.autoscaling", region: "eu-west-1" },
    expected: true,
  },
  {
    name: "prefix only works on strings",
    pattern: { detail: { "c-count": [{ prefix: "5" }] } },
    event: ec2WithCounts,
    expected: false,
  },
  {
    name: "prefix equals-ignore-case matches any casing",
    pattern: { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } },
    event: withDetail({ service: "EVENTBRIDGE" }),
    expected: true,
  },
  {
    name: "prefix equals-ignore-case still needs the prefix",
    pattern: { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } },
    event: withDetail({ service: "Lambda" }),
    expected: false,
  },
  {
    name: "suffix matches the end of a string",
    pattern: { detail: { FileName: [{ suffix: ".png" }] } },
    event: withDetail({ FileName: "image.png" }),
    expected: true,
  },
  {
    name: "suffix is case sensitive",
    pattern: { detail: { FileName: [{ suffix: ".png" }] } },
    event: withDetail({ FileName: "image.PNG" }),
    expected: false,
  },
  {
    name: "suffix equals-ignore-case matches .PNG",
    pattern: { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } },
    event: withDetail({ FileName: "image.PNG" }),
    expected: true,
  },
  {
    name: "suffix equals-ignore-case does not match another extension",
    pattern: { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } },
    event: withDetail({ FileName: "image.jpg" }),
    expected: false,
  },
  {
    name: "equals-ignore-case matches ALICE",
    pattern: { detail: { Name: [{ "equals-ignore-case": "alice" }] } },
    event: withDetail({ Name: "ALICE" }),
    expected: true,
  },
  {
    name: "equals-ignore-case is still equality",
    pattern: { detail: { Name: [{ "equals-ignore-case": "alice" }] } },
    event: withDetail({ Name: "Alicia" }),
    expected: false,
  },
];

const ANYTHING_BUT: MatchCase[] = [
  {
    name: "anything-but string matches another string",
    pattern: { detail: { state: [{ "anything-but": "initializing" }] } },
    event: ec2WithCounts,
    expected: true,
  },
  {
    name: "anything-but string rejects that string",
    pattern: { detail: { state: [{ "anything-but": "initializing" }] } },
    event: withDetail({ state: "initializing" }),
    expected: false,
  },
  {
    name: "anything-but number matches another number",
    pattern: { detail: { "x-limit": [{ "anything-but": 123 }] } },
    event: ec2WithCounts,
    expected: true,
  },
  {
    name: "anything-but number rejects that number",
    pattern: { detail: { "x-limit": [{ "anything-but": 123 }] } },
    event: withDetail({ "x-limit": 123 }),
    expected: false,
  },
  {
    name: "anything-but list of strings matches a value outside it",
    pattern: { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } },
    event: ec2WithCounts,
    expected: true,
  },
  {
    name: "anything-but list of strings rejects a listed value",
    pattern: { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } },
    event: withDetail({ state: "overloaded" }),
    expected: false,
  },
  {
    name: "anything-but list of numbers matches a value outside it",
    pattern: { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } },
    event: ec2WithCounts,
    expected: true,
  },
  {
    name: "anything-but list of numbers rejects 300.0 as 300",
    pattern: { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } },
    event: withDetail({ "x-limit": 300.0 }),
    expected: false,
  },
  {
    name: "anything-but does not match an absent field",
    pattern: { detail: { weather: [{ "anything-but": ["Raining"] }] } },
    event: ec2StateChange,
    expected: false,
  },
  {
    name: "anything-but on an event array matches when some element is not excluded",
    pattern: { detail: { price: [{ "anything-but": [100, 500] }] } },
    event: withDetail({ price: [100, 50] }),
    expected: true,
  },
  {
    name: "anything-but on an event array fails when every element is excluded",
    pattern: { detail: { price: [{ "anything-but": [100, 500] }] } },
    event: withDetail({ price: [100, 500] }),
    expected: false,
  },
  {
    name: "anything-but prefix matches a value without the prefix",
    pattern: { detail: { state: [{ "anything-but": { prefix: "init" } }] } },
    event: ec2WithCounts,
    expected: true,
  },
  {
    name: "anything-but prefix rejects a value with the prefix",
    pattern: { detail: { state: [{ "anything-but": { prefix: "init" } }] } },
    event: withDetail({ state: "initializing" }),
    expected: false,
  },
  {
    name: "anything-but prefix aws. keeps custom sources",
    pattern: { source: [{ "anything-but": { prefix: "aws." } }] },
    event: { source: "ripen" },
    expected: true,
  },
  {
    name: "anything-but prefix aws. drops AWS sources",
    pattern: { source: [{ "anything-but": { prefix: "aws." } }] },
    event: ec2StateChange,
    expected: false,
  },
  {
    name: "anything-but suffix matches another extension",
    pattern: { detail: { FileName: [{ "anything-but": { suffix: ".png" } }] } },
    event: withDetail({ FileName: "notes.txt" }),
    expected: true,
  },
  {
    name: "anything-but suffix rejects the extension",
    pattern: { detail: { FileName: [{ "anything-but": { suffix: ".png" } }] } },
    event: withDetail({ FileName: "image.png" }),
    expected: false,
  },
  {
    name: "anything-but equals-ignore-case matches another value",
    pattern: { detail: { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] } },
    event: ec2WithCounts,
    expected: true,
  },
  {
    name: "anything-but equals-ignore-case rejects INITIALIZING",
    pattern: { detail: { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] } },
    event: withDetail({ state: "INITIALIZING" }),
    expected: false,
  },
  {
    name: "anything-but equals-ignore-case list rejects any casing of a listed value",
    pattern: { detail: { state: [{ "anything-but": { "equals-ignore-case": ["Stopped", "OverLoaded"] } }] } },
    event: withDetail({ state: "STOPPED" }),
    expected: false,
  },
  {
    name: "anything-but wildcard matches a path without /lib/",
    pattern: { detail: { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] } },
    event: withDetail({ FilePath: "/usr/bin/tool" }),
    expected: true,
  },
  {
    name: "anything-but wildcard rejects a path with /lib/",
    pattern: { detail: { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] } },
    event: withDetail({ FilePath: "/usr/lib/tool" }),
    expected: false,
  },
];

const NUMERIC: MatchCase[] = [
  {
    name: "numeric range, upper bound and equality all hold",
    pattern: {
      detail: {
        "c-count": [{ numeric: [">", 0, "<=", 5] }],
        "d-count": [{ numeric: ["<", 10] }],
        "x-limit": [{ numeric: ["=", 3.018e2] }],
      },
    },
    event: ec2WithCounts,
    expected: true,
  },
  {
    name: "numeric > 0 excludes 0",
    pattern: { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } },
    event: withDetail({ "c-count": 0 }),
    expected: false,
  },
  {
    name: "numeric <= 5 excludes 5.5",
    pattern: { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } },
    event: withDetail({ "c-count": 5.5 }),
    expected: false,
  },
  {
    name: "numeric = 100 matches 100.0",
    pattern: { detail: { Price: [{ numeric: ["=", 100] }] } },
    event: withDetail({ Price: 100.0 }),
    expected: true,
  },
  {
    name: "numeric only works on JSON numbers",
    pattern: { detail: { Price: [{ numeric: ["=", 100] }] } },
    event: withDetail({ Price: "100" }),
    expected: false,
  },
  {
    name: "numeric > 10 <= 20 includes 20",
    pattern: { detail: { Price: [{ numeric: [">", 10, "<=", 20] }] } },
    event: withDetail({ Price: 20 }),
    expected: true,
  },
  {
    name: "numeric > 10 <= 20 excludes 10",
    pattern: { detail: { Price: [{ numeric: [">", 10, "<=", 20] }] } },
    event: withDetail({ Price: 10 }),
    expected: false,
  },
  {
    name: "numeric >= 10 < 20 includes 10",
    pattern: { detail: { Price: [{ numeric: [">=", 10, "<", 20] }] } },
    event: withDetail({ Price: 10 }),
    expected: true,
  },
  {
    name: "numeric >= 10 < 20 excludes 20",
    pattern: { detail: { Price: [{ numeric: [">=", 10, "<", 20] }] } },
    event: withDetail({ Price: 20 }),
    expected: false,
  },
  {
    name: "numeric < 0 matches negatives",
    pattern: { detail: { Price: [{ numeric: ["<", 0] }] } },
    event: withDetail({ Price: -0.5 }),
    expected: true,
  },
];

const EXISTS: MatchCase[] = [
  {
    name: "exists true matches a present leaf",
    pattern: { detail: { state: [{ exists: true }] } },
    event: ec2StateChange,
    expected: true,
  },
  {
    name: "exists true fails when the leaf is absent",
    pattern: { detail: { state: [{ exists: true }] } },
    event: withDetail({ "c-count": { c1: 100 } }),
    expected: false,
  },
  {
    name: "exists true fails on an object, which is not a leaf",
    pattern: { detail: { "c-count": [{ exists: true }] } },
    event: withDetail({ state: ["initializing", "running"], "c-count": { c1: 100 } }),
    expected: false,
  },
  {
    name: "exists false matches an absent field",
    pattern: { detail: { "c-count": [{ exists: false }] } },
    event: withDetail({ state: ["initializing", "running"] }),
    expected: true,
  },
  {
    name: "exists false matches a field that is an object, not a leaf",
    pattern: { detail: { "c-count": [{ exists: false }] } },
    event: withDetail({ state: ["initializing", "running"], "c-count": { c1: 100 } }),
    expected: true,
  },
  {
    name: "exists false fails on a present leaf",
    pattern: { detail: { "c-count": [{ exists: false }] } },
    event: ec2WithCounts,
    expected: false,
  },
  {
    name: "exists false matches when the whole parent is absent",
    pattern: { detail: { "c-count": [{ exists: false }] } },
    event: { source: "aws.ec2" },
    expected: true,
  },
];

const CIDR_AND_WILDCARD: MatchCase[] = [
  {
    name: "cidr matches an address inside 10.0.0.0/24",
    pattern: { detail: { "source-ip": [{ cidr: "10.0.0.0/24" }] } },
    event: ec2WithCounts,
    expected: true,
  },
  {
    name: "cidr includes the last address of the block",
    pattern: { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    event: withDetail({ sourceIPAddress: "10.0.0.255" }),
    expected: true,
  },
  {
    name: "cidr excludes the next block",
    pattern: { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    event: withDetail({ sourceIPAddress: "10.0.1.0" }),
    expected: false,
  },
  {
    name: "cidr ignores a string that is not an address",
    pattern: { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
    event: withDetail({ sourceIPAddress: "internal.example.com" }),
    expected: false,
  },
  {
    name: "cidr works for IPv6",
    pattern: { detail: { sourceIPAddress: [{ cidr: "2001:db8::/32" }] } },
    event: withDetail({ sourceIPAddress: "2001:db8:1::1" }),
    expected: true,
  },
  {
    name: "cidr IPv6 excludes another prefix",
    pattern: { detail: { sourceIPAddress: [{ cidr: "2001:db8::/32" }] } },
    event: withDetail({ sourceIPAddress: "2001:db9::1" }),
    expected: false,
  },
  {
    name: "wildcard matches a .png inside dir",
    pattern: { detail: { FileName: [{ wildcard: "dir/*.png" }] } },
    event: withDetail({ FileName: "dir/image.png" }),
    expected: true,
  },
  {
    name: "wildcard needs the fixed parts",
    pattern: { detail: { FileName: [{ wildcard: "dir/*.png" }] } },
    event: withDetail({ FileName: "dir/image.jpg" }),
    expected: false,
  },
  {
    name: "wildcard is anchored at both ends",
    pattern: { detail: { FileName: [{ wildcard: "dir/*.png" }] } },
    event: withDetail({ FileName: "other/dir/image.png" }),
    expected: false,
  },
  {
    name: "wildcard with several stars matches across segments",
    pattern: { detail: { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] } },
    event: withDetail({ EventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/ripen" }),
    expected: true,
  },
  {
    name: "wildcard star matches an empty run",
    pattern: { detail: { title: [{ wildcard: "*Title*" }] } },
    event: withDetail({ title: "Title" }),
    expected: true,
  },
  {
    name: "wildcard escaped star is a literal star",
    pattern: { detail: { FileName: [{ wildcard: "a\\*b" }] } },
    event: withDetail({ FileName: "a*b" }),
    expected: true,
  },
  {
    name: "wildcard escaped star does not act as a wildcard",
    pattern: { detail: { FileName: [{ wildcard: "a\\*b" }] } },
    event: withDetail({ FileName: "aXb" }),
    expected: false,
  },
  {
    name: "wildcard only works on strings",
    pattern: { detail: { "c-count": [{ wildcard: "*" }] } },
    event: ec2WithCounts,
    expected: false,
  },
];

const OR: MatchCase[] = [
  {
    name: "$or matches when one branch does",
    pattern: { $or: [{ Location: ["New York"] }, { Day: ["Monday"] }] },
    event: { Location: "Boston", Day: "Monday" },
    expected: true,
  },
  {
    name: "$or fails when no branch does",
    pattern: { $or: [{ Location: ["New York"] }, { Day: ["Monday"] }] },
    event: { Location: "Boston", Day: "Tuesday" },
    expected: false,
  },
  {
    name: "$or is ANDed with its sibling fields",
    pattern: {
      source: ["aws.cloudwatch"],
      $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }],
    },
    event: { source: "aws.ec2", namespace: "AWS/EC2" },
    expected: false,
  },
  {
    name: "$or inside a nested object",
    pattern: {
      detail: { $or: [{ source: ["aws.cloudwatch"] }, { "detail-type": ["CloudWatch Alarm State Change"] }] },
    },
    event: { detail: { "detail-type": "CloudWatch Alarm State Change" } },
    expected: true,
  },
  {
    name: "$or branch with an AND inside needs all of its fields",
    pattern: {
      source: ["aws.cloudwatch"],
      $or: [{ metricName: ["CPUUtilization"] }, { metricType: ["MetricType"], namespace: ["AWS/EC2"] }],
    },
    event: { source: "aws.cloudwatch", metricType: "MetricType", namespace: "AWS/ES" },
    expected: false,
  },
  {
    name: "nested $or inside an $or branch",
    pattern: {
      source: ["aws.cloudwatch"],
      $or: [
        { metricName: ["CPUUtilization"] },
        { namespace: ["AWS/EC2"], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      ],
    },
    event: { source: "aws.cloudwatch", namespace: "AWS/EC2", spaceId: 1000 },
    expected: true,
  },
  {
    name: "the combined content-filtering example",
    pattern: {
      time: [{ prefix: "2017-10-02" }],
      detail: {
        state: [{ "anything-but": "initializing" }],
        "c-count": [{ numeric: [">", 0, "<=", 5] }],
        "d-count": [{ numeric: ["<", 10] }],
        "x-limit": [{ "anything-but": [100, 200, 300] }],
        "source-ip": [{ cidr: "10.0.0.0/8" }],
      },
    },
    event: ec2WithCounts,
    expected: true,
  },
];

const MATCH_CASES = [
  ...EXACT_AND_STRUCTURE,
  ...NULL_AND_EMPTY,
  ...ARRAYS,
  ...PREFIX_AND_SUFFIX,
  ...ANYTHING_BUT,
  ...NUMERIC,
  ...EXISTS,
  ...CIDR_AND_WILDCARD,
  ...OR,
];

describe("matchesPattern", () => {
  it.each(MATCH_CASES)("$name → $expected", ({ pattern, event, expected }) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it.each(MATCH_CASES)("$name: the pattern is valid", ({ pattern }) => {
    expect(() => assertValidPattern(pattern)).not.toThrow();
  });
});

type InvalidCase = { name: string; pattern: EventPattern; path: string };

const INVALID_CASES: InvalidCase[] = [
  { name: "empty pattern", pattern: {}, path: "(root)" },
  { name: "leaf that is not an array", pattern: { source: "aws.ec2" }, path: "source" },
  { name: "leaf that is a number", pattern: { detail: { count: 5 } }, path: "detail.count" },
  { name: "empty leaf array", pattern: { source: [] }, path: "source" },
  { name: "array inside a leaf", pattern: { source: [["aws.ec2"]] }, path: "source[0]" },
  { name: "unknown operator", pattern: { detail: { state: [{ "starts-with": "init" }] } }, path: "detail.state[0]" },
  { name: "two operators in one object", pattern: { FileName: [{ prefix: "a", suffix: "b" }] }, path: "FileName[0]" },
  { name: "prefix that is a number", pattern: { time: [{ prefix: 2017 }] }, path: "time[0].prefix" },
  {
    name: "prefix with another nested operator",
    pattern: { a: [{ prefix: { wildcard: "x*" } }] },
    path: "a[0].prefix",
  },
  { name: "equals-ignore-case that is a list", pattern: { a: [{ "equals-ignore-case": ["x"] }] }, path: "a[0]" },
  { name: "numeric that is not a list", pattern: { n: [{ numeric: ">5" }] }, path: "n[0].numeric" },
  { name: "numeric with a dangling operator", pattern: { n: [{ numeric: [">", 0, "<="] }] }, path: "n[0].numeric" },
  { name: "numeric with an unknown comparison", pattern: { n: [{ numeric: ["!=", 1] }] }, path: "n[0].numeric" },
  { name: "numeric bound that is a string", pattern: { n: [{ numeric: [">", "5"] }] }, path: "n[0].numeric" },
  { name: "numeric upper bound first", pattern: { n: [{ numeric: ["<", 10, ">", 0] }] }, path: "n[0].numeric" },
  { name: "numeric empty range", pattern: { n: [{ numeric: [">", 5, "<", 5] }] }, path: "n[0].numeric" },
  { name: "numeric with too many terms", pattern: { n: [{ numeric: [">", 0, "<", 5, "<", 6] }] }, path: "n[0]" },
  { name: "anything-but mixing strings and numbers", pattern: { a: [{ "anything-but": ["x", 1] }] }, path: "a[0]" },
  { name: "anything-but empty list", pattern: { a: [{ "anything-but": [] }] }, path: "a[0].anything-but" },
  { name: "anything-but null", pattern: { a: [{ "anything-but": null }] }, path: "a[0].anything-but" },
  { name: "anything-but numeric form", pattern: { a: [{ "anything-but": { numeric: [">", 1] } }] }, path: "a[0]" },
  { name: "anything-but empty prefix", pattern: { a: [{ "anything-but": { prefix: "" } }] }, path: "a[0]" },
  { name: "anything-but suffix number", pattern: { a: [{ "anything-but": { suffix: 5 } }] }, path: "a[0]" },
  { name: "exists that is not a boolean", pattern: { a: [{ exists: "yes" }] }, path: "a[0].exists" },
  { name: "cidr without a mask", pattern: { ip: [{ cidr: "10.0.0.0" }] }, path: "ip[0].cidr" },
  { name: "cidr mask too wide", pattern: { ip: [{ cidr: "10.0.0.0/33" }] }, path: "ip[0].cidr" },
  { name: "cidr base that is not an address", pattern: { ip: [{ cidr: "intranet/8" }] }, path: "ip[0].cidr" },
  { name: "wildcard with consecutive stars", pattern: { f: [{ wildcard: "dir/**.png" }] }, path: "f[0].wildcard" },
  { name: "wildcard escaping a letter", pattern: { f: [{ wildcard: "dir\\x" }] }, path: "f[0].wildcard" },
  { name: "anything-but bad wildcard", pattern: { f: [{ "anything-but": { wildcard: "**" } }] }, path: "f[0]" },
  { name: "$or with one branch", pattern: { $or: [{ a: ["1"] }] }, path: "$or" },
  { name: "$or with a non-object branch", pattern: { $or: [{ a: ["1"] }, "b"] }, path: "$or" },
  { name: "invalid leaf inside an $or branch", pattern: { $or: [{ a: ["1"] }, { b: "2" }] }, path: "$or[1].b" },
];

describe("assertValidPattern", () => {
  it.each(INVALID_CASES)("rejects $name, naming $path", ({ pattern, path }) => {
    // Act
    const validation = () => assertValidPattern(pattern);

    // Assess
    expect(validation).toThrow(InvalidEventPatternError);
    expect(validation).toThrow(`at ${path}`);
  });

  it("accepts the project's rule patterns and stream filter", () => {
    for (const rule of Object.values(RULES)) expect(() => assertValidPattern(rule.pattern)).not.toThrow();
    for (const filter of TRANSITION_STREAM_FILTERS) expect(() => assertValidPattern(filter)).not.toThrow();
  });
});

/** A DynamoDB stream record as the Pipe sees it, for an item of the given entity (a move from mql to sql). */
function streamRecord(
  eventName: "INSERT" | "MODIFY" | "REMOVE",
  entity: string,
  move: Record<string, AttributeValue> = { from: { S: "mql" }, to: { S: "sql" } },
) {
  return {
    eventID: "4b1f3c6a0d2e",
    eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "eu-west-1",
    dynamodb: {
      ApproximateCreationDateTime: 1_795_000_000,
      Keys: { pk: { S: "LEAD#lead-1" }, sk: { S: "TRANSITION#2026-11-20T10:00:00.000Z" } },
      NewImage: {
        pk: { S: "LEAD#lead-1" },
        sk: { S: "TRANSITION#2026-11-20T10:00:00.000Z" },
        entity: { S: entity },
        ...move,
      },
      SequenceNumber: "111",
      SizeBytes: 120,
      StreamViewType: "NEW_IMAGE",
    },
  };
}

/** A bus event as EventBridge hands it to a rule. */
function busEvent(detailType: string, detail: unknown) {
  return {
    version: "0",
    id: "0d0a5c3e-1f2b-4c5d-8e9f-a0b1c2d3e4f5",
    "detail-type": detailType,
    source: "ripen",
    account: "123456789012",
    time: "2026-11-20T10:00:00Z",
    region: "eu-west-1",
    resources: [],
    detail,
  };
}

/** A `Lead Stage Changed` event moving a lead to `to`, stamped with `channels`. */
function stageChangedEvent(to: Stage, channels: Channel[]) {
  const detail: LeadStageChangedDetail = {
    metadata: {
      version: LEAD_STAGE_CHANGED.version,
      transitionId: "tr-1",
      occurredAt: "2026-11-20T10:00:00.000Z",
      modelVersion: "minimal-1",
    },
    channels,
    data: {
      lead: { leadId: "lead-1", email: "ada@example.com", domain: "example.com" },
      from: "mql",
      to,
      score: 82,
      reason: "score crossed the threshold",
      actor: { type: "rule", id: "threshold" },
      reasons: [],
      bant: {},
    },
  };
  return busEvent(LEAD_STAGE_CHANGED.detailType, detail);
}

/** The same move as published before channels were stamped (version 1), replayed from the archive. */
function version1Event(to: Stage) {
  const { channels: _, ...detail } = stageChangedEvent(to, []).detail as LeadStageChangedDetail;
  return busEvent(LEAD_STAGE_CHANGED.detailType, { ...detail, metadata: { ...detail.metadata, version: "1" } });
}

/** A `Lead SLA Breached` event whose SLA rule names `notify`. */
const slaBreachedEvent = (notify: string[]) =>
  busEvent(LEAD_SLA_BREACHED.detailType, { metadata: { version: "1", breachId: "b-1" }, data: { notify } });

describe("the project's patterns", () => {
  it.each([
    { name: "a new transition item", record: streamRecord("INSERT", "transition"), expected: true },
    {
      name: "a lead's creation into lead",
      record: streamRecord("INSERT", "transition", { from: { NULL: true }, to: { S: "lead" } }),
      expected: false,
    },
    {
      name: "a creation straight to sql",
      record: streamRecord("INSERT", "transition", { from: { NULL: true }, to: { S: "sql" } }),
      expected: true,
    },
    { name: "a modified transition item", record: streamRecord("MODIFY", "transition"), expected: false },
    { name: "a new lead item", record: streamRecord("INSERT", "lead"), expected: false },
  ])("the stream filters pass $name: $expected", ({ record, expected }) => {
    expect(TRANSITION_STREAM_FILTERS.some((filter) => matchesPattern(filter, record))).toBe(expected);
  });

  it.each([
    {
      name: "a move stamped for Slack and email",
      event: stageChangedEvent("sql", ["slack", "email"]),
      rules: ["notifyEmail", "notifySlack"],
    },
    { name: "a move to mql stamped for email", event: stageChangedEvent("mql", ["email"]), rules: ["notifyEmail"] },
    { name: "a move to sqo stamped for Slack", event: stageChangedEvent("sqo", ["slack"]), rules: ["notifySlack"] },
    {
      name: "a move stamped for the marketing channel",
      event: stageChangedEvent("mql", ["marketing"]),
      rules: ["notifySlack"],
    },
    { name: "a move to sql stamped for no channel", event: stageChangedEvent("sql", []), rules: [] },
    { name: "a version 1 move to sql", event: version1Event("sql"), rules: ["notifyEmailOnSql", "notifySlackOnSql"] },
    { name: "a version 1 move to mql", event: version1Event("mql"), rules: ["notifySlackOnMql"] },
    { name: "a version 1 move to sqo", event: version1Event("sqo"), rules: [] },
    { name: "an SLA breach to email", event: slaBreachedEvent(["email"]), rules: ["notifyEmailOnSlaBreach"] },
    {
      name: "an SLA breach to Slack and email",
      event: slaBreachedEvent(["slack", "email"]),
      rules: ["notifyEmailOnSlaBreach", "notifySlackOnSlaBreach"],
    },
  ])("route $name to $rules, each notifier once at most", ({ event, rules }) => {
    // Act
    const matching = Object.entries(RULES).filter(([, rule]) => matchesPattern(rule.pattern, event));

    // Assess
    expect(matching.map(([name]) => name).sort()).toEqual(rules);
    expect(new Set(matching.map(([, rule]) => rule.target)).size).toBe(matching.length);
  });
});
