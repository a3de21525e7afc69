import * as z from "zod";
import { AttributeCondition, Identifier } from "./conditions";

/** Fit: points for who the lead is (company size, industry, country, seniority, email domain). */
export const FitRule = z
  .strictObject({
    id: Identifier,
    label: z.string().min(1).describe("what an explanation shows, e.g. 'Mid-market company'"),
    when: AttributeCondition,
    points: z.number().finite().describe("negative for a poor fit"),
  })
  .meta({ id: "FitRule" });
export type FitRule = z.infer<typeof FitRule>;
