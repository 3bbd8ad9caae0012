"""A tracked function for Save as Test: run it in a terminal of the Spanscope window."""

from spanscope import track


@track
def total(prices, tax=0.2):
    subtotal = sum(prices)
    return {"subtotal": subtotal, "total": round(subtotal * (1 + tax), 2)}


if __name__ == "__main__":
    print(total([10, 5]))
