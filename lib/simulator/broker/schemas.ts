/**
 * Request schemas of the order and account endpoints, field for field as OpenAlgo declares them
 * (restx_api/schemas.py and account_schema.py; docs/openalgo.md "Account reads", "Orders", "Market data", "Sessions").
 */
import { VALID_EXCHANGES, apikeyField, field, schema, wholeQuantity } from "@/lib/simulator/validation";

const ACTIONS = ["BUY", "SELL"] as const;
const PRICETYPES = ["MARKET", "LIMIT", "SL", "SL-M"] as const;
const PRODUCTS = ["MIS", "NRML", "CNC"] as const;
const OPTION_PRODUCTS = ["MIS", "NRML"] as const;

const action = () => field.enum(ACTIONS, { lowercase: true });
const exchange = () => field.enum(VALID_EXCHANGES);
const pricetype = () => field.enum(PRICETYPES).default("MARKET");
const product = () => field.enum(PRODUCTS).default("MIS");
const price = () => field.float({ min: 0, error: "Price must be a non-negative number." }).default(0);
const triggerPrice = () => field.float({ min: 0, error: "Trigger price must be a non-negative number." }).default(0);
const disclosed = () => field.int({ min: 0, error: "Disclosed quantity must be a non-negative integer." }).default(0);
const positiveQty = (error = "Quantity must be a positive number.") =>
  field.float({ min: 0, minInclusive: false, error });

export const keyOnlySchema = schema({ apikey: apikeyField() });

export const placeOrderSchema = schema(
  {
    apikey: apikeyField(),
    strategy: field.string(),
    exchange: exchange(),
    symbol: field.string(),
    action: action(),
    quantity: positiveQty(),
    pricetype: pricetype(),
    product: product(),
    price: price(),
    trigger_price: triggerPrice(),
    disclosed_quantity: disclosed(),
    underlying_ltp: field.float().nullable().default(null),
  },
  { post: wholeQuantity },
);

export const smartOrderSchema = schema(
  {
    apikey: apikeyField(),
    strategy: field.string(),
    exchange: exchange(),
    symbol: field.string(),
    action: action(),
    quantity: field.float({ min: 0, error: "Quantity must be a non-negative number." }),
    position_size: field.float(),
    pricetype: pricetype(),
    product: product(),
    price: price(),
    trigger_price: triggerPrice(),
    disclosed_quantity: disclosed(),
  },
  { post: wholeQuantity },
);

export const modifyOrderSchema = schema(
  {
    apikey: apikeyField(),
    strategy: field.string(),
    exchange: exchange(),
    symbol: field.string(),
    orderid: field.string(),
    action: action(),
    product: field.enum(PRODUCTS),
    pricetype: field.enum(PRICETYPES),
    price: field.float({ min: 0, error: "Price must be a non-negative number." }),
    quantity: positiveQty(),
    disclosed_quantity: field.int({ min: 0, error: "Disclosed quantity must be a non-negative integer." }),
    trigger_price: field.float({ min: 0, error: "Trigger price must be a non-negative number." }),
  },
  { post: wholeQuantity },
);

export const cancelOrderSchema = schema({ apikey: apikeyField(), strategy: field.string(), orderid: field.string() });
export const strategyOnlySchema = schema({ apikey: apikeyField(), strategy: field.string() });
export const orderStatusSchema = cancelOrderSchema;

export const openPositionSchema = schema({
  apikey: apikeyField(),
  strategy: field.string(),
  symbol: field.string(),
  // Not enum-checked by OpenAlgo (docs/openalgo.md "Account reads"): a lowercase exchange simply matches nothing.
  exchange: field.string(),
  product: field.enum(PRODUCTS),
});

const basketItemSchema = schema(
  {
    exchange: exchange(),
    symbol: field.string(),
    action: action(),
    quantity: positiveQty(),
    pricetype: pricetype(),
    product: product(),
    price: price(),
    trigger_price: triggerPrice(),
    disclosed_quantity: disclosed(),
  },
  { post: wholeQuantity },
);

export const basketOrderSchema = schema({
  apikey: apikeyField(),
  strategy: field.string(),
  orders: field.list(field.nested(basketItemSchema)),
});

export const splitOrderSchema = schema(
  {
    apikey: apikeyField(),
    strategy: field.string(),
    exchange: exchange(),
    symbol: field.string(),
    action: action(),
    quantity: positiveQty("Total quantity must be a positive number."),
    splitsize: field.int({ min: 1, error: "Split size must be a positive integer." }),
    pricetype: pricetype(),
    product: product(),
    price: price(),
    trigger_price: triggerPrice(),
    disclosed_quantity: disclosed(),
  },
  { post: wholeQuantity },
);

const optionQty = () => field.int({ min: 1, error: "Quantity must be a positive integer." });
const optionSplit = () =>
  field.int({ min: 0, error: "Split size must be a non-negative integer." }).nullable().default(0);
const optionType = () => field.enum(["CE", "PE"] as const, { lowercase: true });

export const optionsOrderSchema = schema({
  apikey: apikeyField(),
  strategy: field.string(),
  underlying: field.string(),
  exchange: exchange(),
  expiry_date: field.string().optional(),
  strike_int: field.int({ min: 1 }).nullable().optional(),
  offset: field.string(),
  option_type: optionType(),
  action: action(),
  quantity: optionQty(),
  splitsize: optionSplit(),
  pricetype: pricetype(),
  product: field.enum(OPTION_PRODUCTS).default("MIS"),
  price: price(),
  trigger_price: triggerPrice(),
  disclosed_quantity: disclosed(),
});

const legSchema = schema({
  offset: field.string(),
  option_type: optionType(),
  action: action(),
  quantity: optionQty(),
  splitsize: optionSplit(),
  expiry_date: field.string().optional(),
  pricetype: pricetype(),
  product: field.enum(OPTION_PRODUCTS).default("MIS"),
  price: price(),
  trigger_price: triggerPrice(),
  disclosed_quantity: disclosed(),
});

export const optionsMultiOrderSchema = schema({
  apikey: apikeyField(),
  strategy: field.string(),
  underlying: field.string(),
  exchange: exchange(),
  expiry_date: field.string().optional(),
  strike_int: field.int({ min: 1 }).nullable().optional(),
  legs: field.list(field.nested(legSchema), { min: 1, max: 20, lengthError: "Legs must contain 1 to 20 items." }),
});

const marginPositionSchema = schema({
  symbol: field.string({ min: 1, max: 50, lengthError: "Symbol must be between 1 and 50 characters." }),
  exchange: exchange(),
  action: action(),
  // Strings in OpenAlgo's schema: JSON numbers are refused ("Not a valid string.", docs/openalgo.md "Validation
  // errors").
  quantity: field.string(),
  product: field.enum(PRODUCTS),
  pricetype: field.enum(PRICETYPES),
  price: field.string().default("0"),
  trigger_price: field.string().default("0"),
});

export const marginSchema = schema({
  apikey: field.string({ min: 1, max: 256, lengthError: "API key must be between 1 and 256 characters." }),
  positions: field.list(field.nested(marginPositionSchema), {
    min: 1,
    max: 50,
    lengthError: "Positions must contain 1 to 50 items.",
  }),
});

export const analyzerToggleSchema = schema({ apikey: apikeyField(), mode: field.bool() });
