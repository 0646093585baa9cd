// TypeScript shapes of demo/proto/hipstershop.proto as @grpc/proto-loader presents them
// (camelCase fields, int64 as number, defaults filled in), and of its services as promise-returning
// methods: the same interface types a server implements and a client calls.

export type Empty = Record<string, never>;

export interface Money {
  currencyCode: string;
  units: number;
  nanos: number;
}

export interface Address {
  streetAddress: string;
  city: string;
  state: string;
  country: string;
  zipCode: string;
}

export interface Product {
  id: string;
  name: string;
  description: string;
  picture: string;
  priceUsd: Money;
  categories: string[];
}

export interface ListProductsResponse {
  products: Product[];
}
export interface GetProductRequest {
  id: string;
}
export interface SearchProductsRequest {
  query: string;
}
export interface SearchProductsResponse {
  results: Product[];
}

export interface ListRecommendationsRequest {
  userId: string;
  productIds: string[];
}
export interface ListRecommendationsResponse {
  productIds: string[];
}

export interface AdRequest {
  contextKeys: string[];
}
export interface Ad {
  redirectUrl: string;
  text: string;
}
export interface AdResponse {
  ads: Ad[];
}

export interface CartItem {
  productId: string;
  quantity: number;
}
export interface AddItemRequest {
  userId: string;
  item: CartItem;
}
export interface GetCartRequest {
  userId: string;
}
export interface EmptyCartRequest {
  userId: string;
}
export interface Cart {
  userId: string;
  items: CartItem[];
}

export interface GetSupportedCurrenciesResponse {
  currencyCodes: string[];
}
export interface CurrencyConversionRequest {
  from: Money;
  toCode: string;
}

export interface CreditCardInfo {
  creditCardNumber: string;
  creditCardCvv: number;
  creditCardExpirationYear: number;
  creditCardExpirationMonth: number;
}
export interface ChargeRequest {
  amount: Money;
  creditCard: CreditCardInfo;
}
export interface ChargeResponse {
  transactionId: string;
}

export interface GetQuoteRequest {
  address: Address;
  items: CartItem[];
}
export interface GetQuoteResponse {
  costUsd: Money;
}
export interface ShipOrderRequest {
  address: Address;
  items: CartItem[];
}
export interface ShipOrderResponse {
  trackingId: string;
}

export interface OrderItem {
  item: CartItem;
  cost: Money;
}
export interface OrderResult {
  orderId: string;
  shippingTrackingId: string;
  shippingCost: Money;
  shippingAddress: Address;
  items: OrderItem[];
  total: Money;
}
export interface PlaceOrderRequest {
  userId: string;
  userCurrency: string;
  address: Address;
  email: string;
  creditCard: CreditCardInfo;
}
export interface PlaceOrderResponse {
  order: OrderResult;
}

// ---- services (method names as in the .proto, so span names match) ----
// Requests are Partial on the calling side by proto3 rules (absent = default); servers receive
// them with defaults filled in.

export interface ProductCatalogService {
  ListProducts(req: Empty): Promise<ListProductsResponse>;
  GetProduct(req: GetProductRequest): Promise<Product>;
  SearchProducts(req: SearchProductsRequest): Promise<SearchProductsResponse>;
}
export interface RecommendationService {
  ListRecommendations(req: ListRecommendationsRequest): Promise<ListRecommendationsResponse>;
}
export interface AdService {
  GetAds(req: AdRequest): Promise<AdResponse>;
}
export interface CartService {
  AddItem(req: AddItemRequest): Promise<Empty>;
  GetCart(req: GetCartRequest): Promise<Cart>;
  EmptyCart(req: EmptyCartRequest): Promise<Empty>;
}
export interface CurrencyService {
  GetSupportedCurrencies(req: Empty): Promise<GetSupportedCurrenciesResponse>;
  Convert(req: CurrencyConversionRequest): Promise<Money>;
}
export interface PaymentService {
  Charge(req: ChargeRequest): Promise<ChargeResponse>;
}
export interface ShippingService {
  GetQuote(req: GetQuoteRequest): Promise<GetQuoteResponse>;
  ShipOrder(req: ShipOrderRequest): Promise<ShipOrderResponse>;
}
export interface CheckoutService {
  PlaceOrder(req: PlaceOrderRequest): Promise<PlaceOrderResponse>;
}

/** service name in the .proto → its TypeScript interface */
export interface ShopServices {
  ProductCatalogService: ProductCatalogService;
  RecommendationService: RecommendationService;
  AdService: AdService;
  CartService: CartService;
  CurrencyService: CurrencyService;
  PaymentService: PaymentService;
  ShippingService: ShippingService;
  CheckoutService: CheckoutService;
}
