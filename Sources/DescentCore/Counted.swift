/// `count` and a noun in the number the count takes: "1 layer", "2 layers", "1 class",
/// "3 classes" — so that what Descent prints never reads "1 layers".
///
/// - Parameters:
///   - count: how many.
///   - noun: the singular.
///   - plural: the plural when it is not the singular with an "s" ("classes").
public func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) " + (count == 1 ? noun : plural ?? noun + "s")
}
