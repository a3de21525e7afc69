import { randomBytes } from "node:crypto";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { TransitionStub } from "#shared/application/erase-lead";
import { entityItem, entityOf, type Item } from "./item";
import { dayIndexKeys, TRANSITION, toFunnelTransition, transitionSk } from "./transition";

/**
 * An erased person's transition, PII-free, kept so the funnel's past numbers do not change:
 * pk ERASED#<random>, sk TRANSITION#<at>#<random>. A stub lives in its own partition and in the day
 * index, exactly where the funnel reads transitions.
 */
export const TRANSITION_STUB = "transition-stub";

export const erasedPk = (anonymousId: string) => `ERASED#${anonymousId}`;

/** What a transition item's stub keeps (undefined for any other item). */
export function stubOf(item: Item): TransitionStub | undefined {
  if (entityOf(item) !== TRANSITION) return undefined;
  const transition = toFunnelTransition(item);
  if (!transition) return undefined;
  const actor = unmarshall(item).actor as TransitionStub["actor"];
  return {
    from: transition.from,
    to: transition.to,
    at: transition.at,
    ...(actor && { actor: { type: actor.type, id: actor.id } }),
    ...(transition.source !== undefined && { source: transition.source }),
    ...(transition.campaign !== undefined && { campaign: transition.campaign }),
  };
}

export function stubItem(anonymousId: string, stub: TransitionStub): Item {
  const stubId = `ts_${randomBytes(12).toString("hex")}`;
  return entityItem(TRANSITION_STUB, erasedPk(anonymousId), transitionSk(stub.at, stubId), {
    ...dayIndexKeys(stub.at, stubId),
    leadId: anonymousId,
    ...stub,
  });
}
