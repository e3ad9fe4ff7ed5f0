-- tools/book.lua — the pandoc filter of `make book` (tools/tour.py): keeps the
-- book self-contained and makes the names of files into links.
--
-- The book must open offline, so nothing in it may point outside the page:
--   - a link to another page (http://..., or a file of the kit such as
--     ../docs/abi.md) becomes its text; for a web address the address
--     follows in parentheses, so nothing is lost;
--   - a link or a `code` name that is a file of the tour becomes a link to
--     that file's section of the book (README names are relative to the
--     README's folder, which tour.py passes as the div's base attribute);
--   - an image on the web becomes its description (a local image is
--     embedded by pandoc --self-contained).
-- The list of tour files comes in the metadata field tourfiles.

local tour = {}

local function normpath(p)
  local parts = {}
  for seg in p:gmatch("[^/]+") do
    if seg == ".." then
      if #parts > 0 then table.remove(parts) end
    elseif seg ~= "." then
      table.insert(parts, seg)
    end
  end
  return table.concat(parts, "/")
end

-- The same anchor as tour.py's anchor(): "f-" and the path, non-alphanumerics as "-".
local function anchor(p)
  local a = p:gsub("[^A-Za-z0-9]+", "-")
  a = a:gsub("^%-+", "")
  a = a:gsub("%-+$", "")
  return "f-" .. a
end

local function find(name, dir)
  local bare = name:gsub("#.*$", "")
  if tour[bare] then return bare end
  local rel = normpath(dir .. "/" .. bare)
  if tour[rel] then return rel end
  return nil
end

local function external(target)
  return target:match("^%a[%w+.-]*:") or target:match("^//")
end

local function fix(dir)
  return {
    Code = function(el)
      local f = find(el.text, dir)
      if f then return pandoc.Link({el}, "#" .. anchor(f)) end
    end,
    Link = function(el)
      -- A code name inside the link may already have become a link: flatten.
      local content = pandoc.List()
      for _, inl in ipairs(el.content) do
        if inl.t == "Link" then content:extend(inl.content) else content:insert(inl) end
      end
      if el.target:sub(1, 1) == "#" then
        el.content = content
        return el
      end
      local f = not external(el.target) and find(el.target, dir)
      if f then
        return pandoc.Link(content, "#" .. anchor(f))
      end
      if external(el.target) then
        content:insert(pandoc.Str(" (" .. el.target .. ")"))
      end
      return content
    end,
    Image = function(el)
      if external(el.src) then
        return pandoc.Emph(el.caption)
      end
    end,
  }
end

return {
  {
    Meta = function(m)
      if m.tourfiles then
        for f in pandoc.utils.stringify(m.tourfiles):gmatch("%S+") do tour[f] = true end
      end
      m.tourfiles = nil
      return m
    end,
  },
  {
    Div = function(div)
      if div.classes:includes("readme") then
        local base = div.attributes.base or ""
        div.attributes.base = nil
        return pandoc.walk_block(div, fix(base))
      end
    end,
  },
}
