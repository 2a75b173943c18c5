package importer

import (
	"bytes"
	"strconv"

	"github.com/xuri/excelize/v2"

	"ansinh"
)

// Template returns the downloadable XLSX list: the headers the import expects, one
// example row marked as such, and a sheet explaining each column. The CCCD and account
// columns are formatted as text so that Excel keeps their leading zeros.
func Template() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const list, help = "Danh sách", "Hướng dẫn"
	if err := f.SetSheetName("Sheet1", list); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(help); err != nil {
		return nil, err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	example := map[string]string{"ho_ten": "Nguyễn Văn Mẫu (dòng mẫu, xóa đi)", "cccd": "094050001234", "ngay_sinh": "05/03/1950",
		"gioi_tinh": "Nam", "ma_xa": "31507", "nhom": "NCC", "muc_huong": "1500000"}
	for i, col := range ansinh.ImportColumns() {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetCellStr(list, name+"1", col.Label); err != nil {
			return nil, err
		}
		if err := f.SetCellStr(list, name+"2", example[col.Name]); err != nil {
			return nil, err
		}
		if col.Name == "cccd" || col.Name == "so_tai_khoan" || col.Name == "ma_xa" {
			if err := f.SetColStyle(list, name, text); err != nil {
				return nil, err
			}
		}
		_ = f.SetColWidth(list, name, name, 18)
		_ = f.SetCellStr(help, "A"+strconv.Itoa(i+2), col.Label)
		_ = f.SetCellStr(help, "B"+strconv.Itoa(i+2), col.Help)
	}
	_ = f.SetCellStr(help, "A1", "Cột")
	_ = f.SetCellStr(help, "B1", "Cách ghi")
	_ = f.SetRowStyle(list, 1, 1, bold)
	_ = f.SetRowStyle(help, 1, 1, bold)
	_ = f.SetColWidth(help, "A", "A", 28)
	_ = f.SetColWidth(help, "B", "B", 90)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
