/**
 * Types for the parts of the official `upstox-js-sdk` (which ships none) that the Upstox connector uses. Callbacks get
 * superagent's error and response; the connector reads the raw `response.body`, not the SDK's models.
 */
declare module "upstox-js-sdk" {
  export interface SdkResponse {
    status: number;
    body: unknown;
    text?: string;
    headers: Record<string, string | undefined>;
  }
  export interface SdkError extends Error {
    status?: number;
    code?: string;
    timeout?: number;
    response?: SdkResponse;
    rawResponse?: string;
  }
  export type SdkCallback = (error: SdkError | null, data: unknown, response?: SdkResponse) => void;

  export class ApiClient {
    constructor(sandbox?: boolean);
    basePath: string;
    orderBasePath: string;
    timeout: number;
    requestAgent: unknown;
    authentications: { OAUTH2: { type: string; accessToken?: string } };
  }
  export class LoginApi {
    constructor(client?: ApiClient);
    token(
      apiVersion: string,
      opts: { code: string; clientId: string; clientSecret: string; redirectUri: string; grantType: string },
      callback: SdkCallback,
    ): unknown;
  }
  export class UserApi {
    constructor(client?: ApiClient);
    getProfile(apiVersion: string, callback: SdkCallback): unknown;
    getUserFundMargin(apiVersion: string, opts: { segment?: string }, callback: SdkCallback): unknown;
  }
  export interface SdkPlaceOrder {
    quantity: number;
    product: string;
    validity: string;
    price: number;
    tag?: string;
    instrumentToken: string;
    orderType: string;
    transactionType: string;
    disclosedQuantity: number;
    triggerPrice: number;
    isAmo: boolean;
  }
  export interface SdkModifyOrder {
    orderId: string;
    quantity: number;
    validity: string;
    price: number;
    orderType: string;
    disclosedQuantity: number;
    triggerPrice: number;
  }
  export class OrderApi {
    constructor(client?: ApiClient);
    getOrderBook(apiVersion: string, callback: SdkCallback): unknown;
    /** `/v2/order/history`: every state the order went through. */
    getOrderDetails(apiVersion: string, opts: { orderId: string }, callback: SdkCallback): unknown;
    /** `/v2/order/details`: the order's latest state. */
    getOrderStatus(opts: { orderId: string }, callback: SdkCallback): unknown;
    getTradeHistory(apiVersion: string, callback: SdkCallback): unknown;
    getTradesByOrder(orderId: string, apiVersion: string, callback: SdkCallback): unknown;
    placeOrder(body: SdkPlaceOrder, apiVersion: string, callback: SdkCallback): unknown;
    modifyOrder(body: SdkModifyOrder, apiVersion: string, callback: SdkCallback): unknown;
    cancelOrder(orderId: string, apiVersion: string, callback: SdkCallback): unknown;
  }
  export class PortfolioApi {
    constructor(client?: ApiClient);
    getPositions(apiVersion: string, callback: SdkCallback): unknown;
    getHoldings(apiVersion: string, callback: SdkCallback): unknown;
  }
  export class MarketQuoteApi {
    constructor(client?: ApiClient);
    getFullMarketQuote(symbol: string, apiVersion: string, callback: SdkCallback): unknown;
    ltp(symbol: string, apiVersion: string, callback: SdkCallback): unknown;
  }
  export class WebsocketApi {
    constructor(client?: ApiClient);
    /** `/v3/feed/market-data-feed/authorize`: a one-time market-data stream URL. */
    getMarketDataFeedAuthorizeV3(callback: SdkCallback): unknown;
    /** `/v2/feed/portfolio-stream-feed/authorize`: a one-time order-update stream URL (order updates only). */
    getPortfolioStreamFeedAuthorize(apiVersion: string, callback: SdkCallback): unknown;
  }
}
