#include <string>
#include <vector>
#include <iostream>

class Library {
 public:
  struct Book {
    std::string title;
    int year;
    bool operator<(const Book &o) const { return year < o.year; }
  };
  class Shelf {
   public:
    void add(Book b) { books_.push_back(std::move(b)); }
    std::size_t size() const { return books_.size(); }
   private:
    std::vector<Book> books_;
  };
  Shelf &main_shelf() { return shelf_; }
 private:
  Shelf shelf_;
};

Library lib;
lib.main_shelf().add({"SICP", 1985});
lib.main_shelf().add(Library::Book{"TAOCP", 1968});
std::cout << lib.main_shelf().size() << "\n";
