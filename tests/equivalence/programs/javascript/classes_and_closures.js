class Account {
  #balance = 0;
  constructor(owner) {
    this.owner = owner;
  }
  deposit(x) {
    this.#balance += x;
    return this;
  }
  get balance() {
    return this.#balance;
  }
}

function counter() {
  let c = 0;
  return () => ++c;
}

const a = new Account("ada").deposit(10).deposit(5);
console.log(a.owner, a.balance);
const next = counter();
next();
next();
console.log("counter", next());
console.log(JSON.stringify({ a: [1, { b: 2 }], s: "x" }, null, 2));
